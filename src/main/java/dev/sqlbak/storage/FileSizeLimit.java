package dev.sqlbak.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's limit on the size of a file it writes ({@code ulimit -f}, RLIMIT_FSIZE). Past it
 * the kernel refuses writes with EFBIG (the JVM ignores SIGXFSZ), which SQLite reports only as a
 * "disk I/O error"; knowing the limit lets sqlbak say what actually stopped it.
 */
public final class FileSizeLimit {
  private static final Path LIMITS = Path.of("/proc/self/limits");

  private FileSizeLimit() {}

  /** The soft limit in bytes, or empty where it is unlimited or cannot be read (not Linux). */
  public static OptionalLong bytes() {
    try {
      for (String line : Files.readAllLines(LIMITS)) {
        if (line.startsWith("Max file size")) {
          String soft = line.substring("Max file size".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(soft));
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc: the limit stays unknown and failures are reported as SQLite or the OS saw them
    }
    return OptionalLong.empty();
  }

  /** Whether a file of {@code size} bytes would exceed the limit. */
  public static boolean exceededBy(long size) {
    OptionalLong limit = bytes();
    return limit.isPresent() && size > limit.getAsLong();
  }
}
