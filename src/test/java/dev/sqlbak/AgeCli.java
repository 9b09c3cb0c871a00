package dev.sqlbak;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference age CLI ({@code age}, {@code age-keygen}) for interoperability tests: found on PATH,
 * else the test is skipped, saying why, except where {@code CI} is set, since CI installs it.
 */
public final class AgeCli {
  private AgeCli() {}

  /** The {@code age} binary, e.g. /usr/bin/age; skips the test (fails it under CI) where there is none. */
  public static Path require() {
    return find("age");
  }

  /** The {@code age-keygen} binary, e.g. /usr/bin/age-keygen; skips or fails as {@link #require()}. */
  public static Path keygen() {
    return find("age-keygen");
  }

  private static Path find(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String why = name + " is not on PATH (" + path + "); install it (Debian and Ubuntu: apt-get install age)";
    // A skipped test looks like a passed one in CI's summary: there, a missing tool is a failure.
    if (System.getenv("CI") != null) {
      Assertions.fail(why + "; CI is set, and CI must install it");
    }
    Assumptions.assumeTrue(false, why);
    throw new AssertionError("unreachable: assumeTrue(false) aborts the test");
  }
}
