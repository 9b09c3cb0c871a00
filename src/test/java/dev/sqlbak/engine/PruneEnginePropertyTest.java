package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import dev.sqlbak.storage.LocalPath;
import dev.sqlbak.storage.Location;
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
 * and newest backups that fail a quick check. Each stem is made in one of four ways: sidecars
 * without provenance (hand-made, older sqlbak); one source; two sources under the one name; one
 * source with partial ({@code --table}) backups beside full ones. Backups without a sidecar join
 * the one full series of their name that has provenance, if there is exactly one, as the contract
 * says; a dead run's temporary file goes too.
 */
public class PruneEnginePropertyTest {
  /** 200 random folders in every build (about 8 s); 2000 with {@code -Dsqlbak.soak=true}. */
  private static final int CASES = Boolean.getBoolean("sqlbak.soak") ? 2000 : 200;
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
      ".sqlbak-20200101T000000Z.db", "a temporary-looking file",
      "zz-20200101T000000Z.db.sha256", "a sidecar without its backup");

  @TempDir Path root;

  /** A dead run's temporary file: its lock file is gone, so every prune that removes anything removes it. */
  private static final String DEAD_TEMPORARY = ".sqlbak-0123456789abcdef.db";

  /**
   * One generated backup file: its name, stem, time, whether it passes a quick check, and the
   * series its sidecar names ({@code source|part}), or null when it has no provenance.
   */
  private record Item(String name, String stem, long epochSecond, boolean good, String series) {}

  @Test
  void randomFoldersKeepExactlyWhatAnIndependentComputationKeeps() throws Exception {
    Random random = new Random(20261124L);
    PruneEngine engine = new PruneEngine();
    int removedInTotal = 0;
    int safetyKeeps = 0;
    int sharedNames = 0;
    for (int c = 0; c < CASES; c++) {
      Path dir = Files.createDirectory(root.resolve("case" + c));
      List<Item> items = generate(random, dir);
      for (Map.Entry<String, String> f : FOREIGN.entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue());
      }
      Files.writeString(dir.resolve(DEAD_TEMPORARY), "left by a run killed with -9");
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
      expected.remove(DEAD_TEMPORARY);
      Map<String, Set<String>> expectedKept = new TreeMap<>();
      Map<String, List<Item>> bySeries = seriesOf(items);
      long distinctNames = bySeries.values().stream().map(l -> l.get(0).stem()).distinct().count();
      if (distinctNames < bySeries.size()) {
        sharedNames++;
      }
      for (Map.Entry<String, List<Item>> series : bySeries.entrySet()) {
        String s = series.getValue().get(0).stem();
        if (stem != null && !stem.equals(s)) {
          continue;
        }
        List<Item> ofStem = series.getValue();
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
        expectedKept.computeIfAbsent(s, k -> new TreeSet<>()).addAll(kept);
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

      List<Location> heard = new ArrayList<>();
      PruneResult real = engine.prune(request, heard::add);

      assertEquals(expected, new TreeSet<>(TestDatabases.listing(dir)), label);
      Map<String, Set<String>> kept = new TreeMap<>();
      for (StemPrune s : real.stems()) {
        Set<String> names = new TreeSet<>();
        s.kept().forEach(p -> names.add(p.fileName()));
        kept.computeIfAbsent(s.stem(), k -> new TreeSet<>()).addAll(names);
      }
      assertEquals(expectedKept, kept, label);
      List<Location> removed = new ArrayList<>();
      real.stems().forEach(s -> removed.addAll(s.removed()));
      List<Location> wouldRemove = new ArrayList<>();
      dry.stems().forEach(s -> wouldRemove.addAll(s.removed()));
      assertEquals(wouldRemove, removed, "the dry run reported other files than the run removed; " + label);
      assertEquals(removed, heard, label);
      for (Location p : removed) {
        assertEquals(false, Files.exists(((LocalPath) p).path()), p + "; " + label);
      }
      for (String name : FOREIGN.keySet()) {
        assertEquals(before.get(name), BackupFolders.snapshot(dir).get(name), label);
      }
      assertEquals(true, before.containsKey(DEAD_TEMPORARY), "the dry run removed a dead run's file; " + label);
      removedInTotal += removed.size();
    }
    // The generator must exercise what it claims to: real removals and the safety rule.
    assertEquals(true, removedInTotal > CASES * 5, "only " + removedInTotal + " files removed");
    assertEquals(true, safetyKeeps > CASES / 10, "the safety rule decided only " + safetyKeeps + " times");
    assertEquals(true, sharedNames > CASES / 5, "only " + sharedNames + " folders had a name shared by two series");
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
      int mode = random.nextInt(4);
      // The newest few may fail a quick check (sometimes all of them); the rest are good.
      int bad = random.nextInt(100) < 35 ? 1 + random.nextInt(3) : 0;
      boolean allBad = random.nextInt(100) < 5;
      for (int i = 0; i < newestFirst.size(); i++) {
        long t = newestFirst.get(i);
        String name = BackupFolders.name(stem, LocalDateTime.ofEpochSecond(t, 0, ZoneOffset.UTC), ".db");
        boolean good = !allBad && i >= bad;
        String series = mode == 0 ? null : seriesFor(random, mode, stem);
        boolean sidecar = random.nextBoolean();
        if (good) {
          BackupFolders.writeGood(dir, name, false);
          if (sidecar) {
            writeSidecar(dir, name, series, t, null);
          }
        } else {
          sidecar = writeBad(random, dir, name, series, t);
        }
        items.add(new Item(name, stem, t, good, sidecar ? series : null));
        // A compressed sibling of the same second, only below the newest good backup, so that
        // which backup is the newest good one does not depend on how compressed files are read.
        // Only where the stem is one series: in another, this backup may be its series' newest good one.
        if (good && i > bad && mode <= 1 && random.nextInt(100) < 10) {
          String sibling = name + (random.nextBoolean() ? ".gz" : ".zst");
          BackupFolders.writeGood(dir, sibling, false);
          // With a sidecar exactly when its sibling has one: both stay in one series.
          boolean siblingSidecar = sidecar;
          if (siblingSidecar) {
            writeSidecar(dir, sibling, series, t, null);
          }
          items.add(new Item(sibling, stem, t, false, siblingSidecar ? series : null));
        }
      }
    }
    return items;
  }

  /**
   * A backup that fails a quick check: empty, noise, or a good database whose sidecar disagrees;
   * returns whether it got a sidecar.
   */
  private static boolean writeBad(Random random, Path dir, String name, String series, long t) throws Exception {
    switch (random.nextInt(3)) {
      case 0:
        BackupFolders.write(dir, name, new byte[0], false);
        break;
      case 1:
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        BackupFolders.write(dir, name, noise, false);
        break;
      default:
        BackupFolders.writeGood(dir, name, false);
        writeSidecar(dir, name, series, t, "0".repeat(64));
        return true;
    }
    if (random.nextBoolean()) {
      writeSidecar(dir, name, series, t, null);
      return true;
    }
    return false;
  }

  /** Which series a backup of {@code stem} made in {@code mode} belongs to ({@code source|part}). */
  private static String seriesFor(Random random, int mode, String stem) {
    String source = "/srv/" + stem + (mode == 2 && random.nextBoolean() ? "/b/" : "/a/") + "db.sqlite3";
    String part = mode == 3 && random.nextBoolean() ? "tables: t" : "full";
    return source + "|" + part;
  }

  /**
   * A sidecar: provenance lines when {@code series} is given (as sqlbak writes them), then the
   * hash line with {@code sha256}, or the file's own hash when null.
   */
  private static void writeSidecar(Path dir, String name, String series, long t, String sha256) throws Exception {
    String hash = sha256 != null ? sha256 : TestDatabases.sha256(dir.resolve(name));
    StringBuilder text = new StringBuilder();
    if (series != null) {
      String[] parts = series.split("\\|");
      text.append("# sqlbak-provenance: 1\n# source: ").append(parts[0]).append("\n# host: h1\n# snapshot: ")
          .append(java.time.Instant.ofEpochSecond(t)).append("\n# kind: ").append(parts[1])
          .append("\n# page-size: 4096\n# page-count: 2\n# sqlbak: test\n");
    }
    Files.writeString(dir.resolve(name + ".sha256"), text + hash + "  " + name + "\n");
  }

  /**
   * The series, computed here: by name and the source and part in the sidecar; a backup without
   * provenance joins the one full series of its name that has provenance, if there is exactly
   * one, else the series of its name alone.
   */
  private static Map<String, List<Item>> seriesOf(List<Item> items) {
    Map<String, List<Item>> series = new TreeMap<>();
    for (Item i : items) {
      if (i.series() != null) {
        series.computeIfAbsent(i.stem() + "|" + i.series(), k -> new ArrayList<>()).add(i);
      }
    }
    for (Item i : items) {
      if (i.series() == null) {
        List<String> full = series.keySet().stream()
            .filter(k -> k.startsWith(i.stem() + "|") && k.endsWith("|full")
                && k.split("\\|").length == 3 && k.split("\\|")[0].equals(i.stem()))
            .toList();
        String key = full.size() == 1 ? full.get(0) : i.stem() + "|?";
        series.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
      }
    }
    return series;
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
