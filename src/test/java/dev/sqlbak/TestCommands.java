package dev.sqlbak;

/** Runs system commands that tests need to set up hostile conditions (mount, umount, mkfifo). */
public final class TestCommands {
  private TestCommands() {}

  /** Whether {@code command} ran and exited 0; never throws, so callers can assume or skip. */
  public static boolean succeeds(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
