package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments of {@code prune} on a folder of 3000 backups with their checksums:
 * every file prune keeps is always there and intact, the newest good backup always remains, files
 * that are not sqlbak's backups are never touched, removal goes oldest first, a kill leaves at most
 * one checksum without its backup (never a backup without its checksum), and the next prune
 * finishes the job, that orphaned checksum included.
 */
class PruneKillIT {
  static final int TRIALS = FaultTrials.count("sqlbak.e2e.pruneKillTrials", 6, 50);
  private static final int BACKUPS = 3000;
  private static final int KEEP_DAILY = 10;
  private static final String BEFORE = "before the first removal";
  private static final String BETWEEN_PAIRS = "between two backups";
  private static final String IN_A_PAIR = "between a backup and its checksum";
  private static final String AFTER = "after the last removal";
  private static final String FINISHED = "finished";

  @TempDir Path dir;

  @Test
  void killedAtRandomMomentsKeepsWhatItMustAndTheNextPruneFinishesTheJob() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("backups"));
    Map<String, byte[]> original = fill(folder);
    List<String> appBackups = original.keySet().stream().filter(n -> n.matches("app-\\d{8}T\\d{6}Z\\.db")).sorted()
        .toList();
    Set<String> keep = expectedKept(appBackups, original);
    // Each removed backup in the order prune must remove them: oldest first.
    List<String> doomed = appBackups.stream().filter(n -> !keep.contains(n)).toList();
    Map<String, byte[]> survivors = new TreeMap<>(original);
    for (String name : doomed) {
      survivors.remove(name);
      survivors.remove(name + ".sha256");
    }
    // A dead run's temporary file (no lock file beside it): a prune that runs to its end removes it.
    survivors.remove(".sqlbak-0123456789abcdef.db");
    String[] command = {"prune", "--keep-daily", Integer.toString(KEEP_DAILY), folder.toString()};
    long seed = FaultTrials.seed();
    Random random = new Random(seed);

    // One whole run, for its duration and the moment its removals start.
    long t0 = System.nanoTime();
    long firstRemovalMillis;
    Sqlbak.Result whole;
    try (Sqlbak.Running run = Sqlbak.start(dir, command)) {
      assertNotNull(run.awaitStderrLine(l -> l.startsWith("removed "), Duration.ofSeconds(60)), run.stderrSoFar());
      firstRemovalMillis = (System.nanoTime() - t0) / 1_000_000;
      whole = run.waitFor(Sqlbak.DEFAULT_TIMEOUT);
    }
    long runMillis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(0, whole.exitCode(), whole.describe());
    assertFolder(folder, survivors, "after an uninterrupted run");
    assertEquals(2 * doomed.size(), whole.stderrLines().stream().filter(l -> l.startsWith("removed ")).count());
    System.out.printf("PruneKillIT: seed %d (-Dsqlbak.e2e.seed to repeat), uninterrupted run %d ms, first removal "
        + "after %d ms, %d of %d files removed%n", seed, runMillis, firstRemovalMillis, 2 * doomed.size(),
        original.size());

    FaultTrials.Phases phases = new FaultTrials.Phases(BEFORE, BETWEEN_PAIRS, IN_A_PAIR, AFTER, FINISHED);
    List<String> outcomes = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      restore(folder, original);
      long delay;
      Sqlbak.Result r;
      try (Sqlbak.Running run = Sqlbak.start(dir, command)) {
        if (trial % 2 == 0) {
          // Anywhere in the run, start-up included.
          delay = (long) (random.nextDouble() * runMillis * 1.15);
          Thread.sleep(delay);
        } else {
          // Aimed at the removals: once the first is reported, within the time they took.
          assertNotNull(run.awaitStderrLine(l -> l.startsWith("removed "), Duration.ofSeconds(60)),
              run.stderrSoFar());
          delay = -(long) (random.nextDouble() * (runMillis - firstRemovalMillis));
          Thread.sleep(-delay);
        }
        run.kill9();
        r = run.waitFor(Duration.ofSeconds(30));
      }
      String where = "trial " + trial + " (kill " + (delay >= 0 ? delay + " ms after start" : -delay
          + " ms after the first removal") + ", seed " + seed + ")";
      assertTrue(r.exitCode() == 137 || r.exitCode() == 0, where + ": " + r.describe());
      assertNoStackTrace(r);

      List<String> names = TestDatabases.listing(folder);
      for (String name : names) {
        if (!original.containsKey(name)) {
          fail(where + ": prune created " + name);
        }
        assertTrue(Arrays.equals(original.get(name), Files.readAllBytes(folder.resolve(name))),
            where + ": " + name + " changed");
      }
      for (String name : survivors.keySet()) {
        assertTrue(names.contains(name), where + ": " + name + " must never be removed");
      }
      // Oldest first: what is gone of the doomed backups is a prefix of them.
      int gone = 0;
      while (gone < doomed.size() && !names.contains(doomed.get(gone))) {
        gone++;
      }
      for (int i = gone; i < doomed.size(); i++) {
        assertTrue(names.contains(doomed.get(i)), where + ": " + doomed.get(i) + " is gone but the older "
            + doomed.get(gone) + " is not");
      }
      List<String> orphans = new ArrayList<>();
      for (String name : doomed) {
        boolean backup = names.contains(name);
        boolean sidecar = names.contains(name + ".sha256");
        assertTrue(sidecar || !backup, where + ": a backup without its checksum: " + name);
        if (sidecar && !backup) {
          orphans.add(name + ".sha256");
        }
      }
      assertTrue(orphans.size() <= 1 && (orphans.isEmpty() || orphans.get(0).equals(doomed.get(gone - 1) + ".sha256")),
          where + ": only the pair being removed when the kill came may be half gone: " + orphans);
      String phase = r.exitCode() == 0 ? FINISHED
          : !orphans.isEmpty() ? IN_A_PAIR
          : gone == 0 ? BEFORE
          : gone == doomed.size() ? AFTER : BETWEEN_PAIRS;
      phases.add(phase);
      outcomes.add((delay >= 0 ? delay + " ms after start" : -delay + " ms after the first removal") + ": " + phase
          + ", " + gone + " of " + doomed.size() + " backups removed");

      Sqlbak.Result next = Sqlbak.run(dir, command);
      assertEquals(0, next.exitCode(), where + ", the next run: " + next.describe());
      assertFolder(folder, survivors, where + ", after the next run");
    }
    System.out.println("PruneKillIT trials:\n  " + String.join("\n  ", outcomes));
    System.out.printf("PruneKillIT prune: %d trials on %d backups with checksums (%d to remove, seed %d): %s; "
            + "%d/%d folders checked file by file after the kill and after the next run, nothing lost%n",
        TRIALS, appBackups.size(), doomed.size(), seed, phases, TRIALS, TRIALS);
  }

  /**
   * Fills {@code folder}: {@value #BACKUPS} hourly backups of stem {@code app}, each with its
   * checksum, the newest two of them bad (an empty file; a database whose checksum disagrees), a
   * few of another stem, and files prune must never touch. Returns every file's bytes by name.
   */
  private static Map<String, byte[]> fill(Path folder) throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    byte[] good = BackupFolders.tinyDatabase();
    String hash = TestDatabases.sha256(Files.write(folder.resolve("probe"), good));
    Files.delete(folder.resolve("probe"));
    LocalDateTime start = LocalDateTime.of(2026, 7, 1, 0, 30);
    for (int i = 0; i < BACKUPS; i++) {
      String name = BackupFolders.name("app", start.plusHours(i), ".db");
      boolean emptyOne = i == BACKUPS - 1;
      files.put(name, emptyOne ? new byte[0] : good);
      if (!emptyOne) {
        String sum = i == BACKUPS - 2 ? "0".repeat(64) : hash;
        files.put(name + ".sha256", (sum + "  " + name + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    for (int day = 1; day <= 3; day++) {
      String name = BackupFolders.name("other", LocalDateTime.of(2020, 1, day, 3, 0), ".db");
      files.put(name, good);
      files.put(name + ".sha256", (hash + "  " + name + "\n").getBytes(StandardCharsets.UTF_8));
    }
    files.put("notes.txt", "restore drill on Fridays\n".getBytes(StandardCharsets.UTF_8));
    files.put("app-20260701T0030Z.db", good);
    files.put("app-20260701T003000Z.db.bak", good);
    files.put(".sqlbak-0123456789abcdef.db", good);
    restore(folder, files);
    return files;
  }

  /** The backups of stem app that {@code --keep-daily} keeps, plus the newest that passes a quick check. */
  private static Set<String> expectedKept(List<String> oldestFirst, Map<String, byte[]> files) {
    Map<LocalDate, String> newestOfDay = new TreeMap<>();
    for (String name : oldestFirst) {
      LocalDate day = LocalDate.parse(name.substring(4, 12), java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
      newestOfDay.put(day, name);
    }
    List<String> days = new ArrayList<>(newestOfDay.values());
    Set<String> keep = new TreeSet<>(days.subList(days.size() - KEEP_DAILY, days.size()));
    // The newest is empty and the next one's checksum disagrees: the third newest is the newest good.
    keep.add(oldestFirst.get(oldestFirst.size() - 3));
    assertTrue(files.get(oldestFirst.get(oldestFirst.size() - 1)).length == 0);
    return keep;
  }

  /** Writes back every file of {@code files} that is missing. */
  private static void restore(Path folder, Map<String, byte[]> files) throws Exception {
    Set<String> present = new TreeSet<>(TestDatabases.listing(folder));
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      if (!present.contains(f.getKey())) {
        Files.write(folder.resolve(f.getKey()), f.getValue());
      }
    }
  }

  /** {@code folder} holds exactly {@code expected}, byte for byte. */
  private static void assertFolder(Path folder, Map<String, byte[]> expected, String when) throws Exception {
    assertEquals(new ArrayList<>(new TreeSet<>(expected.keySet())), TestDatabases.listing(folder), when);
    Map<String, String> changed = new HashMap<>();
    for (Map.Entry<String, byte[]> f : expected.entrySet()) {
      if (!Arrays.equals(f.getValue(), Files.readAllBytes(folder.resolve(f.getKey())))) {
        changed.put(f.getKey(), "changed");
      }
    }
    assertEquals(Map.of(), changed, when);
  }
}
