package dev.sqlbak.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a path really leads, symlinks resolved, also when its last part does not exist (yet): a
 * destination to be created, or a dangling symlink to a file that SQLite may create.
 */
public final class RealPath {
  private static final int MAX_LINKS = 40;

  private RealPath() {}

  /** The real path of {@code path}: its own if it exists, else its folder's with the links of its name followed. */
  public static Path of(Path path) {
    Path p = path.toAbsolutePath().normalize();
    for (int hops = 0; hops < MAX_LINKS; hops++) {
      try {
        return p.toRealPath();
      } catch (IOException missing) {
        // the file itself (or a link's target) does not exist: resolve what does
      }
      if (Files.isSymbolicLink(p)) {
        try {
          p = p.resolveSibling(Files.readSymbolicLink(p)).toAbsolutePath().normalize();
          continue;
        } catch (IOException e) {
          break;
        }
      }
      Path parent = p.getParent();
      if (parent == null) {
        return p;
      }
      return of(parent).resolve(p.getFileName());
    }
    return p;
  }
}
