package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The seed scenarios of {@code sqlbak backup} that succeed, run as real processes on real files. */
class BackupBasicsIT {
  private static final Pattern PROGRESS = Pattern.compile("(?:(\\w+): )?copied (\\d+) of (\\d+) pages");

  @TempDir Path dir;
  Path src;
  Path dst;

  @BeforeEach
  void folders() throws Exception {
    src = Files.createDirectory(dir.resolve("src"));
    dst = Files.createDirectory(dir.resolve("dst"));
  }

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void backsUpToAFileWithAMatchingChecksum(boolean wal) throws Exception {
    Path source = TestDatabases.createSample(src.resolve("app.db"), wal, 500);
    String sourceBytes = TestDatabases.sha256(source);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "src/app.db", "dst/copy.db");

    assertSucceeded(r);
    assertEquals(List.of("copy.db", "copy.db.sha256"), TestDatabases.listing(dst), r.describe());
    assertCompleteCopy(dst.resolve("copy.db"), source);
    assertSidecar(dst.resolve("copy.db"));
    assertEquals(sourceBytes, TestDatabases.sha256(source), "the source must never be modified");
    assertSourceFolderUntouched(wal);
  }

  @Test
  void backsUpIntoADirectoryUnderTimestampedNamesThatSortByTime() throws Exception {
    Path source = TestDatabases.createSample(src.resolve("app.db"), false, 500);
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    Sqlbak.Result first = Sqlbak.run(dir, "backup", "src/app.db", "dst");
    // DEST omitted means the current directory; run right away so both land in the same second.
    Sqlbak.Result second = Sqlbak.run(dst, "backup", "../src/app.db");
    Instant after = Instant.now();

    assertSucceeded(first);
    assertSucceeded(second);
    List<String> names = TestDatabases.listing(dst);
    assertEquals(4, names.size(), "two backups, each with its checksum: " + names);
    Pattern stamped = Pattern.compile("app-(\\d{8}T\\d{6}Z)\\.db");
    List<String> backups = new ArrayList<>();
    for (String name : names) {
      if (!name.endsWith(".sha256")) {
        Matcher m = stamped.matcher(name);
        assertTrue(m.matches(), "not <stem>-<UTC yyyyMMdd'T'HHmmss'Z'>.db: " + name);
        Instant stamp = stampOf(m.group(1));
        assertFalse(stamp.isBefore(before), name + " is stamped before the run started");
        backups.add(name);
        assertTrue(names.contains(name + ".sha256"), "missing checksum file of " + name);
      }
    }
    assertEquals(2, backups.size(), names.toString());
    assertTrue(first.stderr().contains(backups.get(0)) && second.stderr().contains(backups.get(1)),
        "the second backup must sort after the first, even within one second:\n"
            + first.describe() + "\n" + second.describe());
    Instant newest = stampOf(backups.get(1).substring("app-".length(), "app-".length() + 16));
    // Only the one-second bump for a taken name may push a stamp past the end of the runs.
    assertFalse(newest.isAfter(after.plusSeconds(1)), backups.get(1) + " is stamped in the future");
    for (String b : backups) {
      assertCompleteCopy(dst.resolve(b), source);
      assertSidecar(dst.resolve(b));
    }
  }

  @ParameterizedTest(name = "--pages {0}")
  @ValueSource(ints = {5, 100, -1})
  void plainProgressPrintsOneLinePerStepAndEndsWithTheTotal(int pages) throws Exception {
    Path source = TestDatabases.createSample(src.resolve("app.db"), false, 10000);
    long total = TestDatabases.scalar(source, "PRAGMA page_count");
    assertTrue(total > 100, "the sample must need several steps even at --pages 100: " + total);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "--pages", String.valueOf(pages), "--progress", "plain",
        "src/app.db", "dst/copy.db");

    assertSucceeded(r);
    List<Long> copied = new ArrayList<>();
    for (String line : r.stderrLines()) {
      Matcher m = PROGRESS.matcher(line);
      if (m.matches()) {
        assertEquals(null, m.group(1), "one schema: no prefix; " + line);
        assertEquals(total, Long.parseLong(m.group(3)), "total pages in " + line);
        copied.add(Long.parseLong(m.group(2)));
      }
    }
    // Each step copies exactly N pages, so the lines are N, 2N, ... and finally the total.
    List<Long> expected = new ArrayList<>();
    long step = pages == -1 ? total : pages;
    for (long x = step; x < total; x += step) {
      expected.add(x);
    }
    expected.add(total);
    assertEquals(expected, copied, "progress lines of --pages " + pages + "; " + r.describe());
    assertEquals(List.of("copy.db", "copy.db.sha256"), TestDatabases.listing(dst));
    assertCompleteCopy(dst.resolve("copy.db"), source);
    assertSidecar(dst.resolve("copy.db"));
  }

  @Test
  void compactCopiesWithVacuumIntoIntoFewerPages() throws Exception {
    Path source = TestDatabases.createSample(src.resolve("app.db"), false, 3000);
    try (var c = TestDatabases.open(source); var s = c.createStatement()) {
      s.execute("DELETE FROM users WHERE id % 2 = 0");
    }

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "--compact", "src/app.db", "dst/compact.db");

    assertSucceeded(r);
    assertEquals(List.of("compact.db", "compact.db.sha256"), TestDatabases.listing(dst));
    assertCompleteCopy(dst.resolve("compact.db"), source);
    assertSidecar(dst.resolve("compact.db"));
    assertTrue(java.nio.file.Files.size(dst.resolve("compact.db")) < java.nio.file.Files.size(source));
  }

  @Test
  void copiesTheNamedMainSchema() throws Exception {
    Path source = TestDatabases.createSample(src.resolve("app.db"), false, 300);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "--schema", "main", "src/app.db", "dst/copy.db");

    assertSucceeded(r);
    assertEquals(List.of("copy.db", "copy.db.sha256"), TestDatabases.listing(dst));
    assertCompleteCopy(dst.resolve("copy.db"), source);
    assertSidecar(dst.resolve("copy.db"));
  }

  @Test
  void memoryDestinationPrintsTheRowCountsAndWritesNothing() throws Exception {
    Path source = TestDatabases.createSample(src.resolve("app.db"), false, 321);
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "src/app.db", ":memory:");

    assertSucceeded(r);
    List<String> out = r.stdoutLines();
    assertFalse(out.isEmpty(), r.describe());
    assertTrue(out.get(0).startsWith("# main: "), "summary header names the schema; " + r.describe());
    List<String> expected = new ArrayList<>();
    TestDatabases.tableRowCounts(source).forEach((table, rows) -> expected.add(table + "\t" + rows));
    assertEquals(List.of("audit\t321", "sqlite_sequence\t1", "users\t321"), expected,
        "fixture changed; this test's expectations need a look");
    assertEquals(expected, out.subList(1, out.size()), r.describe());
    assertEquals(before, TestDatabases.snapshot(dir), ":memory: must write nothing anywhere");
  }

  @Test
  void attachedSchemasLandAsTwoFilesEachEqualToItsSource() throws Exception {
    Path main = TestDatabases.createSample(src.resolve("main.db"), false, 400);
    Path aux = TestDatabases.createLarge(src.resolve("aux.db"), false, 2);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "--attach", "aux=src/aux.db", "--schema", "main",
        "--schema", "aux", "--progress", "plain", "src/main.db", "dst");

    assertSucceeded(r);
    List<String> names = TestDatabases.listing(dst);
    assertEquals(4, names.size(), names.toString());
    Matcher a = Pattern.compile("aux-(\\d{8}T\\d{6}Z)\\.db").matcher(names.get(0));
    Matcher m = Pattern.compile("main-(\\d{8}T\\d{6}Z)\\.db").matcher(names.get(2));
    assertTrue(a.matches() && m.matches(), names.toString());
    assertEquals(List.of(names.get(0), names.get(0) + ".sha256", names.get(2), names.get(2) + ".sha256"),
        names);
    assertEquals(a.group(1), m.group(1), "one snapshot, one timestamp: " + names);
    assertCompleteCopy(dst.resolve(names.get(2)), main);
    assertCompleteCopy(dst.resolve(names.get(0)), aux);
    assertSidecar(dst.resolve(names.get(0)));
    assertSidecar(dst.resolve(names.get(2)));
    // Several schemas: each progress line names its schema, and each schema's copy completes.
    for (Map.Entry<String, Path> schema : Map.of("main", main, "aux", aux).entrySet()) {
      long total = TestDatabases.scalar(schema.getValue(), "PRAGMA page_count");
      List<String> lines = r.stderrLines().stream()
          .filter(l -> l.startsWith(schema.getKey() + ": copied ")).toList();
      assertFalse(lines.isEmpty(), "no progress for " + schema.getKey() + "; " + r.describe());
      assertEquals(schema.getKey() + ": copied " + total + " of " + total + " pages",
          lines.get(lines.size() - 1), r.describe());
    }
  }

  private static Instant stampOf(String utc) {
    return Instant.from(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(utc));
  }

  private static void assertSucceeded(Sqlbak.Result r) {
    assertEquals(0, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    assertTrue(r.stderrLines().stream().noneMatch(l -> l.startsWith("sqlbak: ")),
        "a clean run prints no error or warning; " + r.describe());
  }

  /**
   * Only the source itself is in its folder afterwards. A WAL-mode source is the exception SQLite
   * makes for every reader, read-only ones included: it creates the {@code -wal} and {@code -shm}
   * files it needs to read a WAL database, and only a read-write connection removes them on close.
   */
  private void assertSourceFolderUntouched(boolean wal) throws Exception {
    List<String> names = new ArrayList<>(TestDatabases.listing(src));
    if (wal) {
      names.removeAll(List.of("app.db-wal", "app.db-shm"));
    }
    assertEquals(List.of("app.db"), names, "sqlbak left files beside its source");
  }
}
