package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlbak.TestDatabases;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A backup while another process commits a row every few milliseconds: it must finish, pass
 * integrity_check, and hold exactly one state the writer committed, taken during the run.
 */
class LiveWriterIT {
  private static final int SOURCE_MIB = 80;
  private static final long PAUSE_MILLIS = 600;
  private static final Pattern PROGRESS = Sqlbak.PROGRESS;
  /**
   * Slack for the gap between a commit returning and the writer stamping it: a descheduled writer
   * could stamp a commit made just before the pause as if it were made during it.
   */
  private static final long STAMP_SLACK_MILLIS = 100;

  @TempDir Path dir;

  /** One commit as the writer reported it. */
  record Commit(long n, long epochMillis) {}

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {true, false})
  void copyIsOneCommittedStateTakenDuringTheRun(boolean wal) throws Exception {
    Path source = createSource(dir.resolve("live.db"), wal);
    long blobRows = TestDatabases.scalar(source, "SELECT count(*) FROM t");
    Path out = Files.createDirectory(dir.resolve("out"));
    List<Commit> commits = new CopyOnWriteArrayList<>();
    Process writer = startWriter(source, commits, 2);
    try {
      awaitCommits(commits, writer, 50);
      long before = last(commits);

      long pauseStart;
      long pauseEnd;
      Sqlbak.Result r;
      try (Sqlbak.Running backup = Sqlbak.start(dir, "backup", "--pages", "2", "--progress", "plain",
          "live.db", "out/copy.db")) {
        String line = backup.awaitMidCopyProgress();
        assertNotNull(line, "no progress before the copy ended; stderr:\n" + backup.stderrSoFar());
        // A pause mid-copy stands for a slow copy: its read transaction stays open all along, and
        // the window in which to watch the writer no longer depends on how fast this machine is.
        Sqlbak.signal(backup.pid(), "STOP");
        pauseStart = System.currentTimeMillis();
        try {
          assertFalse(copyFinished(backup.stderrSoFar()),
              "the copy ended before it could be paused; make the source bigger");
          Thread.sleep(PAUSE_MILLIS);
        } finally {
          pauseEnd = System.currentTimeMillis();
          Sqlbak.signal(backup.pid(), "CONT");
        }
        r = backup.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      }
      long after = TestDatabases.scalar(source, "SELECT n FROM counter");

      stopWriter(writer);
      assertEquals(0, r.exitCode(), r.describe());
      assertNoStackTrace(r);
      assertProgressNeverDecreases(r);
      assertEquals(List.of("copy.db", "copy.db.sha256"), TestDatabases.listing(out), r.describe());
      Path copy = out.resolve("copy.db");
      assertEquals("rollback", TestDatabases.headerJournalMode(copy));
      assertEquals("ok", TestDatabases.integrityCheck(copy));
      assertSidecar(copy);

      long k = TestDatabases.scalar(copy, "SELECT n FROM counter");
      assertTrue(before <= k && k <= after,
          "the copy's state " + k + " must be one committed during the run, between " + before
              + " (before it started) and " + after + " (after it ended)");
      assertEquals(List.of(String.valueOf(k), "1", String.valueOf(k)), rowsSummary(copy),
          "count, min and max of w: the copy must hold rows 1..counter exactly, as committed together");
      assertEquals(blobRows, TestDatabases.scalar(copy, "SELECT count(*) FROM t"));

      List<Commit> inPause = new ArrayList<>();
      for (Commit c : commits) {
        if (c.epochMillis() > pauseStart + STAMP_SLACK_MILLIS && c.epochMillis() < pauseEnd) {
          inPause.add(c);
        }
      }
      String window = "writer commits " + before + " -> " + after + ", copy holds " + k + ", "
          + inPause.size() + " commits stamped in the " + (pauseEnd - pauseStart) + " ms pause mid-copy";
      System.out.println("LiveWriterIT wal=" + wal + ": " + window);
      if (wal) {
        // WAL writers are never blocked by the backup's read transaction.
        assertTrue(inPause.size() >= 10, "the writer must keep committing during the copy: " + window);
        assertTrue(k < inPause.get(0).n(), "commits made during the copy cannot be in its snapshot: " + window);
      } else {
        // A rollback-journal reader holds SHARED for the whole copy, so no commit can complete in it.
        assertEquals(List.of(), inPause, "the copy's read transaction must block commits: " + window);
      }
    } finally {
      writer.destroyForcibly();
    }
  }

  /**
   * A writer committing back to back, with no pause between its transactions: in rollback-journal
   * mode the lock is free only for moments between them, which SQLite's sleeping busy handler
   * keeps missing; in WAL mode every commit would restart a copy that did not hold its snapshot.
   * Either way the backup must finish, never restart, and hold one committed state.
   */
  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {true, false})
  void finishesUnderABackToBackWriterWithoutRestarting(boolean wal) throws Exception {
    Path source = createSource(dir.resolve("busy.db"), wal);
    Path out = Files.createDirectory(dir.resolve("out"));
    List<Commit> commits = new CopyOnWriteArrayList<>();
    Process writer = startWriter(source, commits, 0);
    Sqlbak.Result r;
    long before;
    long during;
    try {
      awaitCommits(commits, writer, 200);
      before = last(commits);
      r = Sqlbak.run(dir, "backup", "--json", "--pages", "64", "--busy-timeout", "20s", "busy.db",
          "out/copy.db");
      during = last(commits) - before;
      awaitCommits(commits, writer, commits.size() + 50);
    } finally {
      stopWriter(writer);
    }
    assertEquals(0, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    com.google.gson.JsonObject json = com.google.gson.JsonParser.parseString(r.stdout()).getAsJsonObject();
    System.out.println("LiveWriterIT back-to-back wal=" + wal + ": " + during + " commits during the run, restarts "
        + json.get("restarts") + ", busy retries " + json.get("busyRetries") + " over " + json.get("busyWaitMs")
        + " ms, snapshot held " + json.get("snapshotHeldMs") + " ms, run " + json.get("durationMs") + " ms");
    assertEquals(0, json.get("restarts").getAsInt(), r.describe());
    Path copy = out.resolve("copy.db");
    assertEquals("ok", TestDatabases.integrityCheck(copy));
    assertSidecar(copy);
    long k = TestDatabases.scalar(copy, "SELECT n FROM counter");
    assertTrue(k >= before, "the copy holds state " + k + ", older than commit " + before + " seen before it started");
    assertEquals(List.of(String.valueOf(k), "1", String.valueOf(k)), rowsSummary(copy),
        "count, min and max of w: the copy must hold rows 1..counter exactly, as committed together");
    if (wal) {
      assertTrue(during > 0, "a WAL-mode writer must go on committing while the backup runs");
    }
  }

  /**
   * backup --table copies table by table, so the tables are one state only if all are read in one
   * transaction: w is copied first and counter last, with the big table t in between while the
   * writer keeps committing to both.
   */
  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {true, false})
  void tableBackupIsOneCommittedStateOfItsTables(boolean wal) throws Exception {
    Path source = dir.resolve("live.db");
    TestDatabases.createLarge(source, wal, 24);
    try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE w(id INTEGER PRIMARY KEY, at INTEGER NOT NULL)");
      s.execute("CREATE INDEX w_at ON w(at)");
      s.execute("CREATE TABLE counter(n INTEGER NOT NULL)");
      s.execute("INSERT INTO counter VALUES (0)");
      s.execute("CREATE TABLE left_behind(x)");
    }
    long blobRows = TestDatabases.scalar(source, "SELECT count(*) FROM t");
    Path out = Files.createDirectory(dir.resolve("out"));
    List<Commit> commits = new CopyOnWriteArrayList<>();
    Process writer = startWriter(source, commits, 2);
    try {
      awaitCommits(commits, writer, 50);
      long before = last(commits);

      Sqlbak.Result r = Sqlbak.run(dir, "backup", "--table", "w", "--table", "t", "--table", "counter",
          "--progress", "plain", "live.db", "out/part.db");
      long after = TestDatabases.scalar(source, "SELECT n FROM counter");

      stopWriter(writer);
      assertEquals(0, r.exitCode(), r.describe());
      assertNoStackTrace(r);
      assertFalse(r.stderr().contains("copied "), "no page progress: " + r.describe());
      assertEquals(List.of("part.db", "part.db.sha256"), TestDatabases.listing(out), r.describe());
      Path copy = out.resolve("part.db");
      assertEquals("rollback", TestDatabases.headerJournalMode(copy));
      assertEquals("ok", TestDatabases.integrityCheck(copy));
      assertSidecar(copy);
      assertEquals(List.of("counter", "t", "w"),
          TestDatabases.column(copy, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"));
      assertEquals(List.of("w_at"), TestDatabases.column(copy, "SELECT name FROM sqlite_schema WHERE type = 'index'"));

      long k = TestDatabases.scalar(copy, "SELECT n FROM counter");
      assertTrue(before <= k && k <= after,
          "the copy's state " + k + " must be one committed during the run, between " + before + " and " + after);
      assertEquals(List.of(String.valueOf(k), "1", String.valueOf(k)), rowsSummary(copy),
          "count, min and max of w must match counter: both tables read in one snapshot");
      assertEquals(blobRows, TestDatabases.scalar(copy, "SELECT count(*) FROM t"));
      System.out.println("LiveWriterIT --table wal=" + wal + ": writer commits " + before + " -> " + after
          + ", copy holds " + k);
    } finally {
      writer.destroyForcibly();
    }
  }

  private static List<String> rowsSummary(Path copy) throws Exception {
    return TestDatabases.column(copy,
        "SELECT count(*) FROM w UNION ALL SELECT min(id) FROM w UNION ALL SELECT max(id) FROM w");
  }

  /** About {@value #SOURCE_MIB} MiB of blobs, plus the writer's tables: rows {@code w} and one {@code counter}. */
  private static Path createSource(Path file, boolean wal) throws Exception {
    TestDatabases.createLarge(file, wal, SOURCE_MIB, 1024);
    try (Connection c = TestDatabases.open(file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE w(id INTEGER PRIMARY KEY, at INTEGER NOT NULL)");
      s.execute("CREATE TABLE counter(n INTEGER NOT NULL)");
      s.execute("INSERT INTO counter VALUES (0)");
    }
    return file;
  }

  private static Process startWriter(Path db, List<Commit> commits, long intervalMillis) throws IOException {
    Process p = HelperJvm.of(WriterProcess.class, List.of(), db.toString(), String.valueOf(intervalMillis)).start();
    Pattern line = Pattern.compile("committed (\\d+) (\\d+)");
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = in.readLine()) != null; ) {
          Matcher m = line.matcher(l);
          if (m.matches()) {
            commits.add(new Commit(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
          }
        }
      } catch (IOException e) {
        // the writer ended
      }
    }, "writer-stdout");
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private static void awaitCommits(List<Commit> commits, Process writer, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (commits.size() < n && writer.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(commits.size() >= n, "the writer did not get going: " + commits.size() + " commits, alive="
        + writer.isAlive());
  }

  private static long last(List<Commit> commits) {
    return commits.get(commits.size() - 1).n();
  }

  /** Closes the writer's stdin and expects it to stop cleanly: it never failed to commit. */
  private static void stopWriter(Process writer) throws Exception {
    writer.getOutputStream().close();
    assertTrue(writer.waitFor(90, TimeUnit.SECONDS), "the writer did not stop");
    assertEquals(0, writer.exitValue(), "the writer failed (see its stack trace above)");
  }

  private static boolean copyFinished(String stderr) {
    Matcher m = PROGRESS.matcher(stderr);
    while (m.find()) {
      if (m.group(1).equals(m.group(2))) {
        return true;
      }
    }
    return false;
  }

  private static void assertProgressNeverDecreases(Sqlbak.Result r) {
    long previous = -1;
    long total = -1;
    Matcher m = PROGRESS.matcher(r.stderr());
    while (m.find()) {
      long x = Long.parseLong(m.group(1));
      if (x < previous) {
        fail("progress went down from " + previous + " to " + x + "; " + r.describe());
      }
      previous = x;
      total = Long.parseLong(m.group(2));
    }
    assertTrue(total > 0, "no progress lines; " + r.describe());
    assertEquals(total, previous, "progress must end at the total; " + r.describe());
  }
}
