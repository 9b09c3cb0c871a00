package dev.sqlbak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a test's folder (the tests run as root), so that a disk can be made full
 * at a chosen point; unmounted on close. Where it cannot be mounted the test is skipped, saying why.
 */
public final class TestTmpfs implements AutoCloseable {
  private final Path dir;

  private TestTmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code kib} KiB on {@code dir} (made if missing), or skips the test. */
  public static TestTmpfs mount(Path dir, long kib) throws Exception {
    Files.createDirectories(dir);
    String out = run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString());
    Assumptions.assumeTrue(out == null,
        "cannot mount a " + kib + " KiB tmpfs on " + dir + " (needs root or CAP_SYS_ADMIN): " + out);
    return new TestTmpfs(dir);
  }

  public Path dir() {
    return dir;
  }

  /** What the tmpfs has free, in bytes (for root, as for everyone: tmpfs reserves nothing). */
  public long free() throws IOException {
    return Files.getFileStore(dir).getUnallocatedSpace();
  }

  /** Resizes the tmpfs so that exactly {@code bytes} (rounded down to 4 KiB) are free beyond what it holds. */
  public void leaveFree(long bytes) throws Exception {
    FileStore store = Files.getFileStore(dir);
    long usedKib = (store.getTotalSpace() - store.getUnallocatedSpace()) / 1024;
    String option = "remount,size=" + (usedKib + bytes / 4096 * 4) + "k";
    String out = run("mount", "-o", option, dir.toString());
    if (out != null) {
      throw new IllegalStateException("cannot remount " + dir + " with " + option + ": " + out);
    }
  }

  @Override
  public void close() throws Exception {
    String out = run("umount", dir.toString());
    if (out != null) {
      throw new IllegalStateException("umount " + dir + " failed: " + out);
    }
  }

  /** Runs a mount command; null on success, else what it printed. */
  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "exit " + exitOf(p) + ": " + out;
  }

  private static String exitOf(Process p) {
    return p.isAlive() ? "(still running)" : String.valueOf(p.exitValue());
  }
}
