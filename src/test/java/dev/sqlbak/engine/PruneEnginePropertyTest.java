package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prune on hundreds of random folders of real files, checked against a second, independent
 * computation of the rules written here: brute-force grouping by epoch day, by the Monday that
 * starts the ISO week, and by year and month, instead of the engine's single newest-first walk.
 * The folders mix stems (with dashes, one that contains a timestamp), same-day multiples, year
 * boundaries and ISO week 53, compressed siblings of the same second, sidecars, foreign files,
 * and newest backups that fail a quick check.
 */
public class PruneEnginePropertyTest {
  private static final int CASES = 400;
  private static final String[] STEMS = {"app", "my-app", "my", "app-20261124T030000Z", "a.b"};
  /** Around New Year of years with an ISO week 53 (2015, 2020, 2026, 2032) and with week 1 in December. */
  private static final LocalDateTime[] ANCHORS = {
    LocalDateTime.of(2015, 12, 31, 12, 0), LocalDateTime.of(2020, 12, 31, 12, 0),
    LocalDateTime.of(2024, 12, 30, 0, 0), LocalDateTime.of(2025, 12, 29, 0, 0),
    LocalDateTime.of(2026, 12, 31, 23, 0), LocalDateTime.of(2027, 1, 3, 23, 59),
    LocalDateTime.of(2032, 12, 31, 12, 0), LocalDateTime.of(2026, 11, 24, 3, 0)
  };
  /** Spans over which one stem's backups spread: hours, weeks, months, years (in seconds). */
  private static final long[] SPANS = {6 * 3600L, 86400L * 3, 86400L * 25, 86400L * 120, 86400L * 900};
  private static final Map<String, String> FOREIGN = Map.of(
      "notes.txt", "not a backup\n",
      "app-20261124T0300Z.db", "short timestamp",
      "app-20261124T030000Z.db.bak", "another suffix",
      "app-20260230T030000Z.db", "no such day",
      "my-app_20261124T030000Z.db", "underscore",
      ".sqlbak-0123456789abcdef.db", "a temporary file",
      ".sqlbak-20200101T000000Z.db", "a temporary-looking file",
      "zz-20200101T000000Z.db.sha256", "a sidecar without its backup");

  @TempDir Path root;

  /** One generated backup file: its name, stem, time, and whether it passes a quick check. */
  private record Item(String name, String stem, long epochSecond, boolean good) {}

  @Test
  void randomFoldersKeepExactlyWhatAnIndependentComputationKeeps() throws Exception {
    Random random = new Random(20261124L);
    PruneEngine engine = new PruneEngine();
    int removedInTotal = 0;
    int safetyKeeps = 0;
    for (int c = 0; c < CASES; c++) {
      Path dir = Files.createDirectory(root.resolve("case" + c));
      List<Item> items = generate(random, dir);
      for (Map.Entry<String, String> f : FOREIGN.entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue());
      }
      Integer[] keep = new Integer[4];
      do {
        for (int i = 0; i < keep.length; i++) {
          keep[i] = random.nextInt(100) < 35 ? null : random.nextInt(random.nextBoolean() ? 3 : 8);
        }
      } while (keep[0] == null && keep[1] == null && keep[2] == null && keep[3] == null);
      String stem = random.nextInt(100) < 20 ? STEMS[random.nextInt(STEMS.length)] : null;
      PruneRequest request = new PruneRequest(dir, keep[0], keep[1], keep[2], keep[3], stem, false);
      String label = "case " + c + ": " + request + "\nfiles: " + TestDatabases.listing(dir);

      // What must survive, computed here on its own.
      Set<String> expected = new TreeSet<>(TestDatabases.listing(dir));
      Map<String, Set<String>> expectedKept = new TreeMap<>();
      Set<String> stems = new TreeSet<>();
      items.forEach(i -> stems.add(i.stem()));
      for (String s : stems) {
        if (stem != null && !stem.equals(s)) {
          continue;
        }
        List<Item> ofStem = items.stream().filter(i -> i.stem().equals(s)).toList();
        Set<String> kept = keptByRules(ofStem, keep);
        Item newestGood = null;
        for (Item i : ofStem) {
          if (i.good() && (newestGood == null || newer(i, newestGood))) {
            newestGood = i;
          }
        }
        if (newestGood != null && kept.add(newestGood.name())) {
          safetyKeeps++;
        }
        expectedKept.put(s, kept);
        for (Item i : ofStem) {
          if (!kept.contains(i.name())) {
            expected.remove(i.name());
            expected.remove(i.name() + ".sha256");
          }
        }
      }

      Map<String, String> before = BackupFolders.snapshot(dir);
      PruneResult dry = engine.prune(request.withDryRun(true));
      assertEquals(before, BackupFolders.snapshot(dir), "a dry run changed the folder; " + label);

      List<Path> heard = new ArrayList<>();
      PruneResult real = engine.prune(request, heard::add);

      assertEquals(expected, new TreeSet<>(TestDatabases.listing(dir)), label);
      Map<String, Set<String>> kept = new TreeMap<>();
      for (StemPrune s : real.stems()) {
        Set<String> names = new TreeSet<>();
        s.kept().forEach(p -> names.add(p.getFileName().toString()));
        kept.put(s.stem(), names);
      }
      assertEquals(expectedKept, kept, label);
      List<Path> removed = new ArrayList<>();
      real.stems().forEach(s -> removed.addAll(s.removed()));
      List<Path> wouldRemove = new ArrayList<>();
      dry.stems().forEach(s -> wouldRemove.addAll(s.removed()));
      assertEquals(wouldRemove, removed, "the dry run reported other files than the run removed; " + label);
      assertEquals(removed, heard, label);
      for (Path p : removed) {
        assertEquals(false, Files.exists(p), p + "; " + label);
      }
      for (String name : FOREIGN.keySet()) {
        assertEquals(before.get(name), BackupFolders.snapshot(dir).get(name), label);
      }
      removedInTotal += removed.size();
    }
    // The generator must exercise what it claims to: real removals and the safety rule.
    assertEquals(true, removedInTotal > CASES * 5, "only " + removedInTotal + " files removed");
    assertEquals(true, safetyKeeps > CASES / 10, "the safety rule decided only " + safetyKeeps + " times");
  }

  /** Writes one random backup set into {@code dir} and says what each backup is. */
  private static List<Item> generate(Random random, Path dir) throws Exception {
    List<Item> items = new ArrayList<>();
    List<String> stems = new ArrayList<>(List.of(STEMS));
    int stemCount = 1 + random.nextInt(3);
    for (int s = 0; s < stemCount; s++) {
      String stem = stems.remove(random.nextInt(stems.size()));
      LocalDateTime anchor = random.nextInt(4) == 0
          ? LocalDateTime.of(2000 + random.nextInt(40), 1 + random.nextInt(12), 1 + random.nextInt(28), 0, 0)
          : ANCHORS[random.nextInt(ANCHORS.length)];
      long span = SPANS[random.nextInt(SPANS.length)];
      long center = anchor.toEpochSecond(ZoneOffset.UTC);
      TreeSet<Long> times = new TreeSet<>();
      int count = 1 + random.nextInt(random.nextBoolean() ? 8 : 24);
      while (times.size() < count) {
        long t = center - span / 2 + (long) (random.nextDouble() * span);
        times.add(t);
        if (random.nextInt(4) == 0) {
          times.add(t + 1 + random.nextInt(4 * 3600)); // another run the same day, or just past midnight
        }
      }
      List<Long> newestFirst = new ArrayList<>(times.descendingSet());
      // The newest few may fail a quick check (sometimes all of them); the rest are good.
      int bad = random.nextInt(100) < 35 ? 1 + random.nextInt(3) : 0;
      boolean allBad = random.nextInt(100) < 5;
      for (int i = 0; i < newestFirst.size(); i++) {
        long t = newestFirst.get(i);
        String name = BackupFolders.name(stem, LocalDateTime.ofEpochSecond(t, 0, ZoneOffset.UTC), ".db");
        boolean good = !allBad && i >= bad;
        if (good) {
          BackupFolders.writeGood(dir, name, random.nextBoolean());
        } else {
          writeBad(random, dir, name);
        }
        items.add(new Item(name, stem, t, good));
        // A compressed sibling of the same second, only below the newest good backup, so that
        // which backup is the newest good one does not depend on how compressed files are read.
        if (good && i > bad && random.nextInt(100) < 10) {
          String sibling = name + (random.nextBoolean() ? ".gz" : ".zst");
          BackupFolders.writeGood(dir, sibling, random.nextBoolean());
          items.add(new Item(sibling, stem, t, false));
        }
      }
    }
    return items;
  }

  /** A backup that fails a quick check: empty, noise, or a good database whose sidecar disagrees. */
  private static void writeBad(Random random, Path dir, String name) throws Exception {
    switch (random.nextInt(3)) {
      case 0:
        BackupFolders.write(dir, name, new byte[0], random.nextBoolean());
        break;
      case 1:
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        BackupFolders.write(dir, name, noise, random.nextBoolean());
        break;
      default:
        BackupFolders.writeGood(dir, name, false);
        Files.writeString(dir.resolve(name + ".sha256"), "0".repeat(64) + "  " + name + "\n");
    }
  }

  /** The rules, brute force: for each, group by period, take the newest of each of the N latest periods. */
  private static Set<String> keptByRules(List<Item> items, Integer[] keep) {
    Set<String> kept = new HashSet<>();
    List<Item> pool = new ArrayList<>(items);
    for (int n = 0; n < count(keep[0]) && !pool.isEmpty(); n++) {
      Item newest = pool.get(0);
      for (Item i : pool) {
        if (newer(i, newest)) {
          newest = i;
        }
      }
      pool.remove(newest);
      kept.add(newest.name());
    }
    keepNewestPerPeriod(items, count(keep[1]), i -> Math.floorDiv(i.epochSecond(), 86400L), kept);
    keepNewestPerPeriod(items, count(keep[2]), i -> {
      LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(i.epochSecond(), 86400L));
      return day.minusDays(day.getDayOfWeek().getValue() - 1).toEpochDay(); // the Monday of its ISO week
    }, kept);
    keepNewestPerPeriod(items, count(keep[3]), i -> {
      LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(i.epochSecond(), 86400L));
      return day.getYear() * 12L + day.getMonthValue();
    }, kept);
    return kept;
  }

  private static void keepNewestPerPeriod(List<Item> items, int n, ToLongFunction<Item> period, Set<String> kept) {
    TreeMap<Long, Item> newestIn = new TreeMap<>();
    for (Item i : items) {
      Item current = newestIn.get(period.applyAsLong(i));
      if (current == null || newer(i, current)) {
        newestIn.put(period.applyAsLong(i), i);
      }
    }
    int taken = 0;
    for (Item i : newestIn.descendingMap().values()) {
      if (taken++ == n) {
        break;
      }
      kept.add(i.name());
    }
  }

  /** The documented order: the later time, and within one second the later name. */
  private static boolean newer(Item a, Item b) {
    return a.epochSecond() != b.epochSecond() ? a.epochSecond() > b.epochSecond() : a.name().compareTo(b.name()) > 0;
  }

  private static int count(Integer n) {
    return n == null ? 0 : n;
  }
}
