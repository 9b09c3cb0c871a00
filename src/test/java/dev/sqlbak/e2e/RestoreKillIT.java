package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
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
 * kill -9 at random moments of {@code restore --force} onto an existing ~64 MiB TARGET, first in
 * rollback-journal mode, then in WAL mode: TARGET is always wholly its old content or wholly the
 * new one (once SQLite has rolled back what the dead run left, as the application's next open
 * does), the safety copy is absent or a complete copy of the old content, and the next run leaves
 * no temporary file behind.
 *
 * <p>The trials run back to back on one TARGET, each restoring the backup whose content TARGET
 * does not hold: every run starts on what the killed one before it left (a hot journal, a WAL with
 * uncommitted frames, temporary files), as it would in real life.
 */
class RestoreKillIT {
  static final int TRIALS = FaultTrials.count("sqlbak.e2e.restoreKillTrials", 10, 50);
  private static final Pattern SAFETY_COPY = Pattern.compile("target\\.db\\.pre-restore-\\d{8}T\\d{6}Z");
  private static final Pattern SQLITE_FILES = Pattern.compile("target\\.db(-journal|-wal|-shm)?");
  static final String CHECKING = "while checking the backup";
  static final String SAVING = "while saving the safety copy";
  static final String COPYING = "during the copy";
  static final String AFTER = "after the copy";
  static final String FINISHED = "finished";

  @TempDir static Path dir;
  /** The two backups, by the name of their content: A (64 MiB) and B (48 MiB, so TARGET shrinks and grows). */
  static final Path[] BACKUPS = new Path[2];
  static final String[] DIGESTS = new String[2];

  @BeforeAll
  static void twoContents() throws Exception {
    twoBackups(dir, new int[] {64, 48}, BACKUPS, DIGESTS);
  }

  /**
   * Makes, in {@code dir}, two backups made by sqlbak of databases of {@code mib} MiB of distinct
   * content, into {@code backups}, with their content digests into {@code digests}.
   */
  static void twoBackups(Path dir, int[] mib, Path[] backups, String[] digests) throws Exception {
    Path src = Files.createDirectory(dir.resolve("src"));
    Path folder = Files.createDirectory(dir.resolve("backups"));
    for (int i = 0; i < 2; i++) {
      Path db = TestDatabases.createLarge(src.resolve("content" + i + ".db"), false, mib[i]);
      backups[i] = folder.resolve("content" + i + ".db");
      Sqlbak.Result made = Sqlbak.run(dir, "backup", "-q", db.toString(), backups[i].toString());
      assertEquals(0, made.exitCode(), made.describe());
      digests[i] = TestDatabases.contentDigest(backups[i]);
      Files.delete(db);
    }
    assertNotEquals(digests[0], digests[1]);
  }

  @Test
  void killedAtRandomMomentsTargetIsWhollyOldOrWhollyNewAndNothingIsLeftBehind() throws Exception {
    Path live = Files.createDirectory(dir.resolve("live"));
    Path target = live.resolve("target.db");
    Files.copy(BACKUPS[0], target);
    int holds = 0; // which content TARGET holds now
    long seed = FaultTrials.seed();
    Random random = new Random(seed);

    long t0 = System.nanoTime();
    Sqlbak.Result whole = Sqlbak.run(live, "restore", "--force", BACKUPS[1].toString(), "target.db");
    long runMillis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(0, whole.exitCode(), whole.describe());
    assertEquals(DIGESTS[1], TestDatabases.contentDigest(target));
    holds = 1;
    deleteSafetyCopies(live);
    System.out.printf("RestoreKillIT: seed %d (-Dsqlbak.e2e.seed to repeat), uninterrupted run %d ms%n", seed,
        runMillis);

    FaultTrials.Phases phases = new FaultTrials.Phases(CHECKING, SAVING, COPYING, AFTER, FINISHED);
    int[] endedHolding = new int[2]; // trials after which TARGET held its old (0) or the new (1) content
    int safetyCopies = 0;
    List<String> outcomes = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      boolean wal = trial >= TRIALS / 2;
      if (wal && trial == TRIALS / 2) {
        switchToWal(target);
      }
      int restoring = 1 - holds;
      long delay = (long) (random.nextDouble() * runMillis * 1.15);
      List<String> earlierLeftovers = tempFiles(live);
      Sqlbak.Result r;
      // Small steps: the first progress line comes right after the copy into TARGET begins, which
      // is how a kill is told to have landed in the copy rather than before it.
      try (Sqlbak.Running run = Sqlbak.start(live, "restore", "--force", "--progress", "plain", "--pages", "256",
          BACKUPS[restoring].toString(), "target.db")) {
        Thread.sleep(delay);
        run.kill9();
        r = run.waitFor(Duration.ofSeconds(30));
      }
      String where = "trial " + trial + " (" + (wal ? "WAL" : "rollback") + " target, kill after " + delay
          + " ms, seed " + seed + ")";
      assertTrue(r.exitCode() == 137 || r.exitCode() == 0, where + ": " + r.describe());
      assertNoStackTrace(r);

      List<String> names = TestDatabases.listing(live);
      List<String> safety = names.stream().filter(n -> SAFETY_COPY.matcher(n).matches()).toList();
      List<String> ownTemp = tempFiles(live).stream().filter(n -> !earlierLeftovers.contains(n)).toList();
      for (String name : names) {
        if (!SQLITE_FILES.matcher(name).matches() && !SAFETY_COPY.matcher(name).matches()
            && !KillIT.TEMP.matcher(name).matches()) {
          fail(where + ": unexpected file " + name + " in " + names);
        }
      }
      assertTrue(safety.size() <= 1, where + ": one run saves one safety copy: " + names);
      String phase = phaseOf(r, !safety.isEmpty() || !ownTemp.isEmpty());
      phases.add(phase);

      // The safety copy, once at its name, is complete and holds exactly the old content.
      for (String name : safety) {
        Path copy = live.resolve(name);
        assertEquals("rollback", TestDatabases.headerJournalMode(copy), where + ": " + name);
        assertEquals("ok", TestDatabases.integrityCheck(copy), where + ": " + name);
        assertEquals(DIGESTS[holds], TestDatabases.contentDigest(copy), where + ": " + name + " is not the old content");
        safetyCopies++;
      }
      if (phase.equals(COPYING) || phase.equals(AFTER) || phase.equals(FINISHED)) {
        assertEquals(1, safety.size(), where + ": TARGET is written only once its old content is saved: " + names);
        List<String> kept = new ArrayList<>(earlierLeftovers);
        kept.retainAll(tempFiles(live));
        assertEquals(List.of(), kept, where + ": the run swept the dead runs' files before saving its safety copy");
      }

      int now = contentAsTheApplicationSeesIt(target, wal, where);
      if (phase.equals(CHECKING) || phase.equals(SAVING)) {
        assertEquals(holds, now, where + ": TARGET changed before the copy began");
      }
      if (phase.equals(FINISHED)) {
        assertEquals(restoring, now, where + ": a finished restore left the old content");
      }
      endedHolding[now == holds ? 0 : 1]++;
      outcomes.add(delay + " ms: " + phase + ", TARGET " + (now == holds ? "old" : "new") + ", files " + names);
      holds = now;
      deleteSafetyCopies(live);
    }
    System.out.println("RestoreKillIT trials:\n  " + String.join("\n  ", outcomes));

    // The next run after the last kill: it must finish and leave only TARGET and its safety copy.
    Sqlbak.Result last = Sqlbak.run(live, "restore", "--force", BACKUPS[1 - holds].toString(), "target.db");
    assertEquals(0, last.exitCode(), last.describe());
    List<String> names = TestDatabases.listing(live);
    assertEquals(2, names.size(), "only TARGET and its safety copy may remain: " + names);
    assertEquals("target.db", names.get(0));
    assertTrue(SAFETY_COPY.matcher(names.get(1)).matches(), names.toString());
    assertEquals(DIGESTS[holds], TestDatabases.contentDigest(live.resolve(names.get(1))));
    assertEquals("wal", TestDatabases.headerJournalMode(target), "TARGET keeps its own journal mode");
    assertEquals("ok", TestDatabases.integrityCheck(target));
    assertEquals(DIGESTS[1 - holds], TestDatabases.contentDigest(target));

    System.out.printf("RestoreKillIT restore: %d trials onto a %d MiB / %d MiB TARGET (%d rollback-journal, %d WAL; "
            + "seed %d): %s; TARGET held the old content after %d and the new after %d; %d/%d checked by content "
            + "digest and integrity_check, %d safety copies equal to the old content, nothing lost%n",
        TRIALS, Files.size(BACKUPS[0]) >> 20, Files.size(BACKUPS[1]) >> 20, TRIALS / 2, TRIALS - TRIALS / 2, seed,
        phases, endedHolding[0], endedHolding[1], TRIALS, TRIALS, safetyCopies);
  }

  /**
   * Where the kill landed: no progress line and no file of this run is the check of the backup
   * (and start-up); files of this run without progress, the safety copy; then the copy, and after
   * its last page the switch back to TARGET's journal mode and the quick check.
   */
  private static String phaseOf(Sqlbak.Result r, boolean savedOrSaving) {
    if (r.exitCode() == 0) {
      return FINISHED;
    }
    if (RestoreIT.copyFinished(r.stderr())) {
      return AFTER;
    }
    if (KillIT.PROGRESS.matcher(r.stderr()).find()) {
      return COPYING;
    }
    return savedOrSaving ? SAVING : CHECKING;
  }

  /**
   * Which content (0 or 1) TARGET holds as its application would see it next: a copy of TARGET
   * with its journal or WAL is opened read-write, which lets SQLite roll back or recover what the
   * dead run left, then checked whole. A copy, so that the next trial's sqlbak meets TARGET exactly
   * as the killed run left it.
   */
  private static int contentAsTheApplicationSeesIt(Path target, boolean wal, String where) throws Exception {
    Path check = Files.createDirectories(dir.resolve("check"));
    Path copy = check.resolve("copy.db");
    try {
      for (String suffix : new String[] {"", "-journal", "-wal"}) {
        Path f = target.resolveSibling(target.getFileName() + suffix);
        if (Files.exists(f)) {
          Files.copy(f, check.resolve("copy.db" + suffix), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      assertEquals(wal ? "wal" : "rollback", TestDatabases.headerJournalMode(copy),
          where + ": TARGET keeps its own journal mode");
      try (Connection c = TestDatabases.open(copy); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema")) {
        rs.next();
      }
      assertEquals("ok", TestDatabases.integrityCheck(copy), where + ": integrity_check of TARGET");
      String digest = TestDatabases.contentDigest(copy);
      if (digest.equals(DIGESTS[0])) {
        return 0;
      }
      assertEquals(DIGESTS[1], digest, where + ": TARGET holds neither the old nor the new content");
      return 1;
    } finally {
      for (String name : TestDatabases.listing(check)) {
        Files.delete(check.resolve(name));
      }
    }
  }

  private static void switchToWal(Path target) throws Exception {
    try (Connection c = TestDatabases.open(target); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
    }
    assertEquals("wal", TestDatabases.headerJournalMode(target));
  }

  private static List<String> tempFiles(Path folder) throws Exception {
    return TestDatabases.listing(folder).stream().filter(n -> KillIT.TEMP.matcher(n).matches()).toList();
  }

  private static void deleteSafetyCopies(Path folder) throws Exception {
    for (String name : TestDatabases.listing(folder)) {
      if (SAFETY_COPY.matcher(name).matches()) {
        Files.delete(folder.resolve(name));
      }
    }
  }
}
