package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reaching the source: a path with spaces and non-ASCII characters under every locale a cron job
 * or a service might give, and a source another process holds under {@code BEGIN EXCLUSIVE}.
 */
class SourceAccessIT {
  @TempDir Path dir;

  /**
   * The launcher makes Java able to name any path: under the C locale Java 17 and 25 would
   * otherwise use ASCII for file names and refuse the path before sqlbak saw it.
   */
  @ParameterizedTest(name = "locale {0}")
  @ValueSource(strings = {"inherited", "LC_ALL=C", "LANG=C", "LC_ALL=POSIX", "none"})
  void aPathWithSpacesAndNonAsciiCharactersIsBackedUp(String locale) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("bäck ups/日本 été"));
    Path source = TestDatabases.createSample(folder.resolve("my ünïcode db.db"), false, 100);
    Map<String, String> env = new HashMap<>();
    if (!locale.equals("inherited")) {
      env.put("LC_ALL", null);
      env.put("LC_CTYPE", null);
      env.put("LANG", null);
      if (!locale.equals("none")) {
        env.put(locale.substring(0, locale.indexOf('=')), locale.substring(locale.indexOf('=') + 1));
      }
    }

    Sqlbak.Result r = Sqlbak.runWithEnvironment(dir, env, "backup", "-q", source.toString(), "bäck ups/ö ü.db");

    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    assertCompleteCopy(dir.resolve("bäck ups/ö ü.db"), source);
    assertSidecar(dir.resolve("bäck ups/ö ü.db"));
  }

  /**
   * Another process holds the source under BEGIN EXCLUSIVE for longer than {@code --busy-timeout}:
   * sqlbak waits at least that long, then exits 1 saying the source is locked, having created
   * nothing. (Only a lower bound on the wait: the machine may be slow, never fast.)
   */
  @Test
  void aSourceLockedPastTheBusyTimeoutFailsSayingItIsLocked() throws Exception {
    Path source = TestDatabases.createSample(dir.resolve("app.db"), false, 200);
    Files.createDirectory(dir.resolve("out"));
    Process holder = holdExclusive(source);
    try {
      Map<String, String> before = TestDatabases.snapshot(dir.resolve("out"));
      long t0 = System.nanoTime();
      Sqlbak.Result r = Sqlbak.run(dir, "backup", "--busy-timeout", "1500ms", "app.db", "out");
      long waitedMillis = (System.nanoTime() - t0) / 1_000_000;

      String line = assertCleanFailure(r, 1);
      assertTrue(line.contains("locked") && line.contains("app.db"), r.describe());
      assertTrue(waitedMillis >= 1500, "gave up after " + waitedMillis + " ms, before --busy-timeout");
      assertEquals(before, TestDatabases.snapshot(dir.resolve("out")), r.describe());
    } finally {
      release(holder);
    }
  }

  /** The lock is released while sqlbak waits: it goes on and copies the committed content. */
  @Test
  void aLockReleasedDuringTheWaitLetsTheBackupSucceed() throws Exception {
    Path source = TestDatabases.createSample(dir.resolve("app.db"), false, 200);
    String committed = TestDatabases.contentDigest(source);
    Process holder = holdExclusive(source);
    try (Sqlbak.Running running = Sqlbak.start(dir, "backup", "--busy-timeout", "60s", "app.db", "copy.db")) {
      Thread.sleep(1500); // sqlbak is now waiting for the lock (or still starting: either way it must wait)
      assertTrue(running.isAlive(), "sqlbak must wait for the lock, not give up");
      release(holder);
      Sqlbak.Result r = running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      assertEquals(0, r.exitCode(), r.describe());
      assertCompleteCopy(dir.resolve("copy.db"), source);
      assertEquals(committed, TestDatabases.contentDigest(dir.resolve("copy.db")),
          "the copy holds the committed content, not the holder's rolled-back change");
    } finally {
      release(holder);
    }
  }

  /** Starts a {@link LockHolder} on {@code db} and waits until it holds the lock. */
  private static Process holdExclusive(Path db) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = String.join(File.pathSeparator, codeSource(LockHolder.class),
        codeSource(org.sqlite.JDBC.class), System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-cp", classpath, LockHolder.class.getName(), db.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    assertEquals("locked", first, "the lock holder must report that it holds the lock");
    return p;
  }

  /** Closes the holder's stdin, which makes it roll back and exit. */
  private static void release(Process holder) throws Exception {
    if (holder.isAlive()) {
      holder.getOutputStream().close();
      if (!holder.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
        holder.destroyForcibly();
      }
    }
  }

  private static String codeSource(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
