package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments of a backup of a ~200 MiB database: the destination is either absent
 * or a complete backup, and the next run sweeps what the dead runs left, but never the files of a
 * run that is still alive.
 */
class KillIT {
  /**
   * A dead run's leftovers: the temp copy, its O_DIRECT twin, its lock, its checksum, and SQLite's
   * files of the copy.
   */
  static final Pattern TEMP = Pattern.compile("\\.sqlbak-[0-9a-f]{16}\\.(db|direct|lock|sha256|db-journal|db-wal|db-shm)");
  static final Pattern PROGRESS = Sqlbak.PROGRESS;
  /**
   * Steps of 4 MiB: the first progress line then marks the start of the copy, which is how a kill
   * is told to have landed in it (the automatic 192 MiB step would print it near the end).
   */
  static final String TRIAL_PAGES = "1024";
  static final int TRIALS = FaultTrials.count("sqlbak.e2e.killTrials", 8, 60);

  @TempDir static Path dir;
  static Path big;
  static long bigRows;
  static String bigDigest;

  @BeforeAll
  static void bigDatabase() throws Exception {
    // WAL mode: the copy then also goes through its switch to rollback-journal mode, one more
    // moment to be killed in (the temp copy's own -wal and -shm exist then).
    big = TestDatabases.createLarge(Files.createDirectory(dir.resolve("src")).resolve("big.db"), true, 200);
    bigRows = TestDatabases.scalar(big, "SELECT count(*) FROM t");
    bigDigest = TestDatabases.contentDigest(big);
  }

  @Test
  void killedAtRandomMomentsLeavesNothingOrACompleteBackupAndTheNextRunSweeps() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("kill"));
    long seed = FaultTrials.seed();
    Random random = new Random(seed);

    long t0 = System.nanoTime();
    Sqlbak.Result whole = Sqlbak.run(folder, "backup", "--pages", TRIAL_PAGES, big.toString(), "whole.db");
    long runMillis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(0, whole.exitCode(), whole.describe());
    assertEquals(List.of("whole.db", "whole.db.sha256"), TestDatabases.listing(folder));
    assertUsableBackup(folder.resolve("whole.db"));
    deletePublished(folder);
    // Measured again with the source in the page cache, as the trials run: the first run's time,
    // cold, would put many kills past the end.
    t0 = System.nanoTime();
    whole = Sqlbak.run(folder, "backup", "--pages", TRIAL_PAGES, big.toString(), "whole.db");
    runMillis = Math.min(runMillis, (System.nanoTime() - t0) / 1_000_000);
    assertEquals(0, whole.exitCode(), whole.describe());
    deletePublished(folder);
    System.out.printf("KillIT: seed %d (-Dsqlbak.e2e.seed to repeat), uninterrupted run %d ms%n", seed, runMillis);

    List<String> outcomes = new ArrayList<>();
    FaultTrials.Phases phases = new FaultTrials.Phases(
        "before the copy", "during the copy", "during check and publish", "after publish", "finished");
    int comparedByContent = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      // Past the measured duration too, so that the publish at the very end is hit as well.
      long delay = (long) (random.nextDouble() * runMillis * 1.15);
      // Alternate between the two kinds of DEST, whose publishing differs.
      String dest = trial % 2 == 0 ? "trial-" + trial + ".db" : ".";
      // By name and time: a name lock's file ({@code .sqlbak-<hash of name>.lock}) has the same
      // name in every run, so this run may leave a new one where it swept a dead run's.
      List<String> earlierLeftovers = tempFilesWithTimes(folder);
      Sqlbak.Result r;
      try (Sqlbak.Running run = Sqlbak.start(folder, "backup", "--pages", TRIAL_PAGES, "--progress", "plain",
          big.toString(), dest)) {
        Thread.sleep(delay);
        run.kill9();
        r = run.waitFor(Duration.ofSeconds(30));
      }
      String where = "trial " + trial + " (kill after " + delay + " ms, seed " + seed + ")";
      assertTrue(r.exitCode() == 137 || r.exitCode() == 0, where + ": " + r.describe());
      assertNoStackTrace(r);
      List<String> published = checkFolderAfterKill(folder, where);
      comparedByContent += published.size();
      String phase = phaseOf(r, published);
      phases.add(phase);
      if (!phase.equals("before the copy")) {
        // The run reached its copy, so it had swept: no dead run's file may be left.
        List<String> kept = new ArrayList<>(earlierLeftovers);
        kept.retainAll(tempFilesWithTimes(folder));
        assertEquals(List.of(), kept, where + ": a run that got as far as copying must have swept the dead runs' files");
      }
      outcomes.add(delay + " ms: " + phase + ", published " + published + ", " + tempFiles(folder).size()
          + " temp files");
      deletePublished(folder);
    }
    System.out.println("KillIT trials:\n  " + String.join("\n  ", outcomes));
    System.out.printf("KillIT backup: %d trials on a %d MiB WAL database (seed %d): %s; %d/%d folders checked, "
            + "%d published backups equal to the source by content digest, nothing lost%n",
        TRIALS, Files.size(big) >> 20, seed, phases, TRIALS, TRIALS, comparedByContent);

    // One kill certainly mid-copy, so that there are dead runs' files for the last run to sweep.
    try (Sqlbak.Running run = Sqlbak.start(folder, "backup", "--pages", "1024", "--progress", "plain", big.toString(), ".")) {
      String line = run.awaitMidCopyProgress();
      assertNotNull(line, "no progress before the end; stderr:\n" + run.stderrSoFar());
      run.kill9();
      assertEquals(137, run.waitFor(Duration.ofSeconds(30)).exitCode());
    }
    List<String> dead = tempFiles(folder);
    assertTrue(dead.stream().anyMatch(n -> n.endsWith(".lock")) && dead.stream().anyMatch(n -> n.endsWith(".db")),
        "a run killed mid-copy leaves its lock and temp copy: " + TestDatabases.listing(folder));
    assertEquals(List.of(), publishedNames(folder), "nothing may be published by a run killed mid-copy");

    Sqlbak.Result last = Sqlbak.run(folder, "backup", big.toString(), ".");
    assertEquals(0, last.exitCode(), last.describe());
    List<String> names = TestDatabases.listing(folder);
    assertEquals(2, names.size(), "the run after the kills must sweep every dead run's files: " + names);
    assertTrue(names.get(0).matches("big-\\d{8}T\\d{6}Z\\.db") && names.get(1).equals(names.get(0) + ".sha256"),
        names.toString());
    assertCompleteCopy(folder.resolve(names.get(0)), big);
    assertSidecar(folder.resolve(names.get(0)));
  }

  @Test
  void aLiveRunsTempFilesAreNotSweptByAConcurrentRun() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("live"));
    Path small = TestDatabases.createSample(dir.resolve("small.db"), false, 100);
    // A dead run's leftovers: the concurrent run must remove these, which shows that it did sweep.
    String deadToken = "0123456789abcdef";
    Files.createFile(folder.resolve(".sqlbak-" + deadToken + ".lock"));
    Files.write(folder.resolve(".sqlbak-" + deadToken + ".db"), new byte[8192]);

    try (Sqlbak.Running slow = Sqlbak.start(folder, "backup", "--pages", "1", "--progress", "plain",
        big.toString(), ".")) {
      String line = slow.awaitMidCopyProgress();
      assertNotNull(line, "the slow run showed no progress; stderr:\n" + slow.stderrSoFar());
      // Stopped, it stays alive and keeps its lock for as long as the concurrent run needs: the
      // test no longer depends on how fast either run is.
      Sqlbak.signal(slow.pid(), "STOP");
      Sqlbak.Result concurrent;
      List<String> liveFiles;
      try {
        liveFiles = tempFiles(folder).stream().filter(n -> !n.contains(deadToken)).toList();
        assertTrue(liveFiles.stream().anyMatch(n -> n.endsWith(".lock"))
                && liveFiles.stream().anyMatch(n -> n.endsWith(".db")),
            "the slow run's lock and temp copy should exist: " + TestDatabases.listing(folder));

        concurrent = Sqlbak.run(folder, "backup", small.toString(), ".");

        List<String> names = TestDatabases.listing(folder);
        assertTrue(names.containsAll(liveFiles), "the concurrent run swept a live run's files " + liveFiles
            + "; left: " + names);
        assertFalse(names.stream().anyMatch(n -> n.contains(deadToken)),
            "the concurrent run must sweep a dead run's files: " + names);
      } finally {
        Sqlbak.signal(slow.pid(), "CONT");
      }
      assertEquals(0, concurrent.exitCode(), concurrent.describe());
      Sqlbak.Result first = slow.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      assertEquals(0, first.exitCode(), "the live run must still succeed; " + first.describe());
    }
    List<String> names = TestDatabases.listing(folder);
    assertEquals(4, names.size(), names.toString());
    assertTrue(names.get(0).matches("big-\\d{8}T\\d{6}Z\\.db") && names.get(2).matches("small-\\d{8}T\\d{6}Z\\.db"),
        names.toString());
    assertEquals(List.of(names.get(0), names.get(0) + ".sha256", names.get(2), names.get(2) + ".sha256"), names);
    assertUsableBackup(folder.resolve(names.get(0)));
    assertSidecar(folder.resolve(names.get(0)));
    assertCompleteCopy(folder.resolve(names.get(2)), small);
  }

  /**
   * After a kill: every name in the folder is a temp file or a published backup (with its
   * checksum), and every published backup is complete. Returns the published backups.
   */
  private static List<String> checkFolderAfterKill(Path folder, String where) throws Exception {
    List<String> names = TestDatabases.listing(folder);
    List<String> published = publishedNames(folder);
    for (String name : names) {
      boolean backup = name.matches("trial-\\d+\\.db|big-\\d{8}T\\d{6}Z\\.db");
      boolean sidecar = name.endsWith(".sha256") && names.contains(name.substring(0, name.length() - 7))
          && name.substring(0, name.length() - 7).matches("trial-\\d+\\.db|big-\\d{8}T\\d{6}Z\\.db");
      if (!backup && !sidecar && !TEMP.matcher(name).matches()) {
        fail(where + ": unexpected file " + name + " in " + names);
      }
    }
    assertTrue(published.size() <= 1, where + ": one run publishes one backup: " + names);
    for (String name : published) {
      assertUsableBackup(folder.resolve(name));
      // The checksum file comes after the backup; when it exists, it must match.
      if (names.contains(name + ".sha256")) {
        assertSidecar(folder.resolve(name));
      }
    }
    return published;
  }

  /** A complete backup of the big database: rollback mode, integrity_check ok, the source's content. */
  private static void assertUsableBackup(Path backup) throws Exception {
    assertEquals("rollback", TestDatabases.headerJournalMode(backup), "journal mode of " + backup);
    assertEquals("ok", TestDatabases.integrityCheck(backup), "integrity_check of " + backup);
    assertEquals(bigRows, TestDatabases.scalar(backup, "SELECT count(*) FROM t"), "rows in " + backup);
    assertEquals(bigDigest, TestDatabases.contentDigest(backup), "content of " + backup);
  }

  /**
   * Where a kill landed, from what the run printed ({@code --progress plain}) and what it published:
   * no progress line yet is start-up (JVM, source, sweep); a last page not yet copied is the copy;
   * then the switch to rollback mode, check, hash and fsync until the name appears.
   */
  static String phaseOf(Sqlbak.Result r, List<String> published) {
    if (r.exitCode() == 0) {
      return "finished";
    }
    if (!published.isEmpty()) {
      return "after publish";
    }
    if (RestoreIT.copyFinished(r.stderr())) {
      return "during check and publish";
    }
    return PROGRESS.matcher(r.stderr()).find() ? "during the copy" : "before the copy";
  }

  private static List<String> publishedNames(Path folder) throws Exception {
    return TestDatabases.listing(folder).stream()
        .filter(n -> n.matches("trial-\\d+\\.db|big-\\d{8}T\\d{6}Z\\.db|whole\\.db")).toList();
  }

  private static List<String> tempFilesWithTimes(Path folder) throws Exception {
    List<String> files = new ArrayList<>();
    for (String name : tempFiles(folder)) {
      try {
        files.add(name + " modified " + Files.getLastModifiedTime(folder.resolve(name)).toMillis());
      } catch (NoSuchFileException e) {
        // gone between the listing and the look: not left over
      }
    }
    return files;
  }

  private static List<String> tempFiles(Path folder) throws Exception {
    return TestDatabases.listing(folder).stream().filter(n -> TEMP.matcher(n).matches()).toList();
  }

  /** Removes published backups (not temp files) so that the next trial starts with only leftovers. */
  private static void deletePublished(Path folder) throws Exception {
    for (String name : TestDatabases.listing(folder)) {
      if (!TEMP.matcher(name).matches()) {
        Files.delete(folder.resolve(name));
      }
    }
  }
}
