package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT and SIGTERM at random moments of {@code restore --force} onto an existing TARGET, first
 * in rollback-journal mode, then in WAL mode: the run exits 130 or 143 (0 if it had finished) with
 * exactly one line, and TARGET, read as one file with nothing beside it, is exactly its old content
 * or exactly the new one, as that line says. No hot journal, no temporary file is left, and a
 * safety copy that is left is complete.
 */
class RestoreSignalIT {
  static final int TRIALS = FaultTrials.count("sqlbak.e2e.restoreSignalTrials", 8, 40);
  private static final Pattern SAFETY_COPY = Pattern.compile("target\\.db\\.pre-restore-\\d{8}T\\d{6}Z");

  @TempDir static Path dir;
  static final Path[] BACKUPS = new Path[2];
  static final String[] DIGESTS = new String[2];

  @BeforeAll
  static void twoContents() throws Exception {
    RestoreKillIT.twoBackups(dir, new int[] {24, 16}, BACKUPS, DIGESTS);
  }

  @Test
  void signalledAtRandomMomentsTargetIsWhollyOldOrWhollyNewAsTheLineSays() throws Exception {
    Path live = Files.createDirectory(dir.resolve("live"));
    Path target = live.resolve("target.db");
    Files.copy(BACKUPS[0], target);
    int holds = 0;
    long seed = FaultTrials.seed();
    Random random = new Random(seed);

    long t0 = System.nanoTime();
    Sqlbak.Result whole = Sqlbak.run(live, "restore", "--force", "--pages", "64", BACKUPS[1].toString(), "target.db");
    long runMillis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(0, whole.exitCode(), whole.describe());
    holds = 1;
    deleteSafetyCopies(live);
    System.out.printf("RestoreSignalIT: seed %d (-Dsqlbak.e2e.seed to repeat), uninterrupted run %d ms%n", seed,
        runMillis);

    List<String> outcomes = new ArrayList<>();
    int[] said = new int[4]; // said unchanged, said committed, finished, stopped in JVM start-up
    for (int trial = 0; trial < TRIALS; trial++) {
      boolean wal = trial >= TRIALS / 2;
      if (wal && trial == TRIALS / 2) {
        switchToWal(target);
      }
      int restoring = 1 - holds;
      // Well past the measured duration too: runs vary, and the commit and the check after it come last.
      long delay = (long) (random.nextDouble() * runMillis * 1.6);
      String[] args = {"restore", "--force", "--progress", "plain", "--pages", "64",
          BACKUPS[restoring].toString(), "target.db"};
      Sqlbak.Running run = trial % 2 == 0 ? Sqlbak.startWithDefaultSigint(live, args) : null;
      String signal = run == null ? "TERM" : "INT";
      if (run == null) {
        run = Sqlbak.start(live, args);
      }
      Sqlbak.Result r;
      try (Sqlbak.Running running = run) {
        Thread.sleep(delay);
        try {
          Sqlbak.signal(running.pid(), signal);
        } catch (AssertionError e) {
          if (running.isAlive()) {
            throw e;
          } // else it had already finished
        }
        r = running.waitFor(Duration.ofSeconds(60));
      }
      String where = "trial " + trial + " (" + (wal ? "WAL" : "rollback") + " target, SIG" + signal + " after "
          + delay + " ms, seed " + seed + ")";
      int signalled = signal.equals("INT") ? 130 : 143;
      assertTrue(r.exitCode() == signalled || r.exitCode() == 0, where + ": " + r.describe());
      assertNoStackTrace(r);

      int now = contentReadAsOneFile(target, where);
      assertFalse(TestDatabases.hotJournalBeside(target), where + ": a hot journal was left beside TARGET");
      assertEquals(now, contentAsTheApplicationSeesIt(target, where),
          where + ": TARGET with its -wal or -journal says otherwise than the file alone");
      boolean reportedDone = r.stderrLines().stream().anyMatch(l -> l.startsWith("restored "));
      if (r.exitCode() == 0 || reportedDone) {
        // Also a signal that came after the run had said "restored" and was exiting.
        assertEquals(restoring, now, where + ": a finished restore left the old content");
        said[2]++;
      } else if (r.stderr().isEmpty()) {
        // The signal came before the JVM had started sqlbak's main (which installs what prints the
        // line): nothing ran, nothing may have changed.
        assertEquals(holds, now, where + ": a run stopped during start-up changed TARGET");
        said[3]++;
      } else {
        List<String> lines = r.stderrLines().stream().filter(l -> l.startsWith("sqlbak: ")).toList();
        assertEquals(1, lines.size(), where + ": exactly one line: " + r.describe());
        String line = lines.get(0);
        assertTrue(line.startsWith("sqlbak: restore interrupted: " + target) || line.equals("sqlbak: interrupted"),
            where + ": " + line);
        if (line.contains("committed")) {
          assertEquals(restoring, now, where + ": the line says committed: " + line);
          said[1]++;
        } else {
          assertTrue(line.contains("not changed") || line.equals("sqlbak: interrupted"), where + ": " + line);
          assertEquals(holds, now, where + ": the line says TARGET was not changed: " + line);
          said[0]++;
        }
      }
      List<String> names = TestDatabases.listing(live);
      for (String name : names) {
        if (SAFETY_COPY.matcher(name).matches()) {
          Path copy = live.resolve(name);
          assertEquals("ok", TestDatabases.integrityCheck(copy), where + ": " + name);
          assertEquals(DIGESTS[holds], TestDatabases.contentDigest(copy), where + ": " + name + " is not the old content");
        } else if (!name.matches("target\\.db(-wal|-shm)?")) {
          fail(where + ": unexpected file " + name + " in " + names);
        }
      }
      String last = r.stderrLines().isEmpty() ? "" : r.stderrLines().get(r.stderrLines().size() - 1);
      outcomes.add(delay + " ms SIG" + signal + ": exit " + r.exitCode() + ", TARGET " + (now == holds ? "old" : "new")
          + ", files " + names + ", " + last.replace(target.toString(), "TARGET"));
      holds = now;
      deleteSafetyCopies(live);
    }
    System.out.println("RestoreSignalIT trials:\n  " + String.join("\n  ", outcomes));
    System.out.printf("RestoreSignalIT: %d trials (seed %d): %d said unchanged, %d said committed, %d finished,"
        + " %d stopped in JVM start-up; TARGET read alone matched the line every time%n", TRIALS, seed, said[0],
        said[1], said[2], said[3]);
  }

  /**
   * With no {@code --pages}, a restore steps small enough to be stopped mid-copy: SIGTERM at its
   * first progress line (of eight steps) rolls it back. (With backup's 192 MiB steps this 128 MiB
   * copy was one step, which a stop could not interrupt.)
   */
  @Test
  void aRestoreWithAutomaticStepsStopsMidCopy() throws Exception {
    Path live = Files.createDirectory(dir.resolve("automatic"));
    Path target = live.resolve("target.db");
    Files.copy(BACKUPS[1], target);
    String oldDigest = TestDatabases.contentDigest(target);
    Path backup = TestDatabases.createLarge(dir.resolve("automatic-128.db"), false, 128);
    Sqlbak.Result r;
    try (Sqlbak.Running run = Sqlbak.start(live, "restore", "--force", "--progress", "plain",
        backup.toString(), "target.db")) {
      String line = run.awaitMidCopyProgress();
      org.junit.jupiter.api.Assertions.assertNotNull(line, "no progress line before the copy's end: one step; stderr:\n"
          + run.stderrSoFar());
      Sqlbak.signal(run.pid(), "TERM");
      r = run.waitFor(Duration.ofSeconds(60));
    }
    assertEquals(143, r.exitCode(), r.describe());
    assertEquals(List.of("sqlbak: restore interrupted: " + target + "; the copy was rolled back, it was not changed"),
        r.stderrLines().stream().filter(l -> l.startsWith("sqlbak: ")).toList(), r.describe());
    assertEquals(oldDigest, TestDatabases.contentDigest(target), "TARGET must hold its old content");
    assertFalse(TestDatabases.hotJournalBeside(target));
    assertEquals(List.of("target.db"), TestDatabases.listing(live));
  }

  /** Which content TARGET's main file holds by itself, copied alone: nothing beside it may be needed. */
  private static int contentReadAsOneFile(Path target, String where) throws Exception {
    Path check = Files.createDirectories(dir.resolve("alone"));
    Path copy = check.resolve("copy.db");
    try {
      Files.copy(target, copy, StandardCopyOption.REPLACE_EXISTING);
      return contentOf(copy, where + " (TARGET's file alone)");
    } finally {
      for (String name : TestDatabases.listing(check)) {
        Files.delete(check.resolve(name));
      }
    }
  }

  /** Which content TARGET holds as its application sees it, with whatever is beside it, on a copy. */
  private static int contentAsTheApplicationSeesIt(Path target, String where) throws Exception {
    Path check = Files.createDirectories(dir.resolve("withSideFiles"));
    try {
      for (String suffix : new String[] {"", "-journal", "-wal"}) {
        Path f = target.resolveSibling(target.getFileName() + suffix);
        if (Files.exists(f)) {
          Files.copy(f, check.resolve("copy.db" + suffix), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return contentOf(check.resolve("copy.db"), where + " (TARGET with its side files)");
    } finally {
      for (String name : TestDatabases.listing(check)) {
        Files.delete(check.resolve(name));
      }
    }
  }

  private static int contentOf(Path db, String where) throws Exception {
    assertEquals("ok", TestDatabases.integrityCheck(db), where + ": integrity_check");
    String digest = TestDatabases.contentDigest(db);
    if (digest.equals(DIGESTS[0])) {
      return 0;
    }
    assertEquals(DIGESTS[1], digest, where + ": neither the old nor the new content");
    return 1;
  }

  private static void switchToWal(Path target) throws Exception {
    try (Connection c = TestDatabases.open(target); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
    }
    assertEquals("wal", TestDatabases.headerJournalMode(target));
  }

  private static void deleteSafetyCopies(Path folder) throws Exception {
    for (String name : TestDatabases.listing(folder)) {
      if (SAFETY_COPY.matcher(name).matches()) {
        Files.delete(folder.resolve(name));
      }
    }
  }
}
