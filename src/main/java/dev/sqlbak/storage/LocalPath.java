package dev.sqlbak.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A location on this machine's filesystem.
 *
 * @param path the path, as given
 */
public record LocalPath(Path path) implements Location {
  public LocalPath {
    Objects.requireNonNull(path, "path");
  }

  @Override
  public Location resolve(String name) {
    return new LocalPath(path.resolve(name));
  }

  @Override
  public String fileName() {
    Path name = path.getFileName();
    return name == null ? "" : name.toString();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
