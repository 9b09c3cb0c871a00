package dev.sqlbak.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.LoggerFactory;

/**
 * Keeps the native libraries that sqlite-jdbc and zstd-jni carry in their jars in a per-user,
 * per-version cache folder ({@code $XDG_CACHE_HOME/sqlbak} or {@code ~/.cache/sqlbak}), extracted
 * once. Left to themselves both drivers extract their library into the temporary folder on every
 * run, which costs start-up time, leaves a copy behind after every kill -9, and fails outright
 * where that folder is missing or mounted noexec.
 */
public final class NativeLibraryCache {
  private NativeLibraryCache() {}

  /**
   * The cached copy of {@code resource} (read through {@code owner}'s class loader) in the cache
   * subfolder {@code folder}, extracted now if it is missing or has the wrong size; null if there
   * is no such resource or no usable cache folder.
   */
  public static Path cached(Class<?> owner, String resource, String folder) {
    try {
      URL url = owner.getResource(resource);
      Path root = root();
      if (url == null || root == null) {
        return null;
      }
      long size = url.openConnection().getContentLengthLong();
      Path dir = root.resolve(folder);
      Path lib = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
      if (!Files.isRegularFile(lib) || Files.size(lib) != size) {
        Files.createDirectories(dir);
        // Written under a temporary name and renamed: a run killed half-way leaves no torn library.
        Path part = Files.createTempFile(dir, ".extract-", ".part");
        try (InputStream in = url.openStream()) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
          Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(part);
        }
      }
      return lib;
    } catch (IOException | RuntimeException e) {
      LoggerFactory.getLogger(NativeLibraryCache.class)
          .debug("native library cache unavailable for {}; the driver extracts its own", resource, e);
      return null;
    }
  }

  private static Path root() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "sqlbak");
    }
    String home = System.getProperty("user.home");
    return home == null || home.isBlank() || home.equals("?") ? null : Path.of(home, ".cache", "sqlbak");
  }
}
