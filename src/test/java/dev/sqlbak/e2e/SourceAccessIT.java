package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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
    Process holder = LockHolder.start(source);
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
      LockHolder.release(holder);
    }
  }

  /** The lock is released while sqlbak waits: it goes on and copies the committed content. */
  @Test
  void aLockReleasedDuringTheWaitLetsTheBackupSucceed() throws Exception {
    Path source = TestDatabases.createSample(dir.resolve("app.db"), false, 200);
    String committed = TestDatabases.contentDigest(source);
    Process holder = LockHolder.start(source);
    try (Sqlbak.Running running = Sqlbak.start(dir, "backup", "--busy-timeout", "60s", "app.db", "copy.db")) {
      Thread.sleep(1500); // sqlbak is now waiting for the lock (or still starting: either way it must wait)
      assertTrue(running.isAlive(), "sqlbak must wait for the lock, not give up");
      LockHolder.release(holder);
      Sqlbak.Result r = running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      assertEquals(0, r.exitCode(), r.describe());
      assertCompleteCopy(dir.resolve("copy.db"), source);
      assertEquals(committed, TestDatabases.contentDigest(dir.resolve("copy.db")),
          "the copy holds the committed content, not the holder's rolled-back change");
    } finally {
      LockHolder.release(holder);
    }
  }
}
