package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built sqlbak backing up a WAL-mode database whose snapshot is partly in its -wal file (so the
 * copy goes through SQLite's backup API), or one with nothing in its -wal (copied byte for byte):
 * the file it publishes is written with O_DIRECT, holds
 * the same bytes as a run told to use the page cache ({@code SQLBAK_DIRECT_IO=off}), and a run
 * killed while both files exist leaves nothing at a destination name.
 */
class DirectIoIT {
  static final String DIRECT_LINE = "is written with O_DIRECT";
  static final String WARM_LINE = "of page cache for the copy";

  @TempDir static Path dir;
  static Path source;
  /** Holds committed rows in the source's -wal file for the whole class: a live application. */
  static Connection application;

  @BeforeAll
  static void liveWalDatabase() throws Exception {
    source = TestDatabases.createLarge(Files.createDirectory(dir.resolve("src")).resolve("app.db"), true, 100);
    application = TestDatabases.open(source);
    try (Statement s = application.createStatement()) {
      s.execute("PRAGMA wal_autocheckpoint=0");
      s.execute("CREATE TABLE late(x)");
      s.execute("INSERT INTO late VALUES (42)");
    }
    assertTrue(Files.size(dir.resolve("src/app.db-wal")) > 0, "the source's -wal file must hold the commit");
  }

  @AfterAll
  static void closeApplication() throws Exception {
    application.close();
  }

  @Test
  void writesThePublishedFileWithODirectAndTheSameBytesAsThroughThePageCache() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("same"));

    backUpByDefaultAndWithVariableOff(folder, "SQLBAK_DIRECT_IO", DIRECT_LINE);

    Sqlbak.Result verify = Sqlbak.run(folder, "verify", "default.db", "off.db");
    assertEquals(0, verify.exitCode(), verify.describe());
  }

  /**
   * Before the snapshot of a live WAL source of 64 MiB or more, the default run warms as much page
   * cache as the copy will fill (a scratch file written and deleted); {@code SQLBAK_WARM_UP=off}
   * does not. Either way the same bytes are published and no scratch file is left.
   */
  @Test
  void warmsMemoryBeforeALiveWalSnapshotUnlessToldNotTo() throws Exception {
    backUpByDefaultAndWithVariableOff(Files.createDirectory(dir.resolve("warm")), "SQLBAK_WARM_UP", WARM_LINE);
  }

  /**
   * Backs up the live source into {@code folder} twice, as default.db and, with {@code variable}
   * set to off, as off.db: only the default run may say {@code line} in --verbose, and both must
   * publish the same complete bytes, with their sidecars and nothing else.
   */
  private static void backUpByDefaultAndWithVariableOff(Path folder, String variable, String line) throws Exception {
    Sqlbak.Result byDefault = Sqlbak.run(folder, "backup", "--verbose", source.toString(), "default.db");
    Sqlbak.Result off = Sqlbak.runWithEnvironment(folder, Map.of(variable, "off"),
        "backup", "--verbose", source.toString(), "off.db");

    assertEquals(0, byDefault.exitCode(), byDefault.describe());
    assertEquals(0, off.exitCode(), off.describe());
    assertTrue(byDefault.stderr().contains(line), "the default run must say '" + line + "': " + byDefault.describe());
    assertFalse(off.stderr().contains(line), variable + "=off must not: " + off.describe());
    assertEquals(List.of("default.db", "default.db.sha256", "off.db", "off.db.sha256"), TestDatabases.listing(folder));
    assertEquals(TestDatabases.sha256(folder.resolve("off.db")), TestDatabases.sha256(folder.resolve("default.db")));
    assertCompleteCopy(folder.resolve("default.db"), source);
    assertEquals(42, TestDatabases.scalar(folder.resolve("default.db"), "SELECT x FROM late"));
    assertSidecar(folder.resolve("default.db"));
  }

  /**
   * A WAL-mode file with nothing in its -wal is copied byte for byte; checked, that copy too is
   * published through an O_DIRECT copy (its writers keep committing meanwhile), while unchecked it
   * is hashed and flushed as it is written, in one pass, as is a rollback-journal file's copy
   * (whose writers wait for the copy anyway).
   */
  @Test
  void aQuietWalSourceIsPublishedWithODirectWhenCheckedAndARollbackSourceInOnePass() throws Exception {
    Path quiet = TestDatabases.createLarge(dir.resolve("src/quiet.db"), true, 50);
    assertEquals("wal", TestDatabases.headerJournalMode(quiet));
    assertFalse(Files.exists(dir.resolve("src/quiet.db-wal")), "nothing may hold the quiet source open");
    Path rollback = TestDatabases.createLarge(dir.resolve("src/plain.db"), false, 50);
    Path folder = Files.createDirectory(dir.resolve("quiet"));

    Sqlbak.Result direct = Sqlbak.run(folder, "backup", "--verbose", quiet.toString(), "direct.db");
    Sqlbak.Result unchecked = Sqlbak.run(folder, "backup", "--verbose", "--check", "none", quiet.toString(),
        "unchecked.db");
    Sqlbak.Result cached = Sqlbak.runWithEnvironment(folder, Map.of("SQLBAK_DIRECT_IO", "off"),
        "backup", "--verbose", quiet.toString(), "cached.db");
    Sqlbak.Result plain = Sqlbak.run(folder, "backup", "--verbose", rollback.toString(), "plain.db");

    for (Sqlbak.Result r : List.of(direct, unchecked, cached, plain)) {
      assertEquals(0, r.exitCode(), r.describe());
    }
    assertTrue(direct.stderr().contains(DIRECT_LINE), "a checked run must write with O_DIRECT: " + direct.describe());
    assertFalse(unchecked.stderr().contains(DIRECT_LINE), "--check none must not: " + unchecked.describe());
    assertFalse(cached.stderr().contains(DIRECT_LINE), "SQLBAK_DIRECT_IO=off must not: " + cached.describe());
    assertFalse(plain.stderr().contains(DIRECT_LINE), "a rollback-journal source's must not: " + plain.describe());
    assertEquals(List.of("cached.db", "cached.db.sha256", "direct.db", "direct.db.sha256", "plain.db",
        "plain.db.sha256", "unchecked.db", "unchecked.db.sha256"), TestDatabases.listing(folder));
    String bytes = TestDatabases.sha256(folder.resolve("cached.db"));
    for (String name : List.of("direct.db", "unchecked.db", "cached.db")) {
      assertEquals(bytes, TestDatabases.sha256(folder.resolve(name)), name + " must hold the same bytes");
      assertEquals("rollback", TestDatabases.headerJournalMode(folder.resolve(name)));
      assertSidecar(folder.resolve(name));
    }
    assertCompleteCopy(folder.resolve("direct.db"), quiet);
    assertEquals(TestDatabases.sha256(rollback), TestDatabases.sha256(folder.resolve("plain.db")));
    assertSidecar(folder.resolve("plain.db"));
  }

  @Test
  void aRunKilledWhileItsODirectFileExistsPublishesNothingAndTheNextRunSweepsIt() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("kill"));
    try (Sqlbak.Running run = Sqlbak.start(folder, "backup", "--verbose", "--pages", KillIT.TRIAL_PAGES,
        "--progress", "plain", source.toString(), ".")) {
      String line = run.awaitMidCopyProgress();
      assertNotNull(line, "no progress before the end; stderr:\n" + run.stderrSoFar());
      assertTrue(run.stderrSoFar().contains(DIRECT_LINE), run.stderrSoFar());
      run.kill9();
      assertEquals(137, run.waitFor(Duration.ofSeconds(30)).exitCode());
    }
    List<String> dead = TestDatabases.listing(folder);
    assertTrue(dead.stream().anyMatch(n -> n.matches("\\.sqlbak-[0-9a-f]{16}\\.direct"))
            && dead.stream().anyMatch(n -> n.matches("\\.sqlbak-[0-9a-f]{16}\\.db")),
        "a run killed mid-copy leaves its copy and its O_DIRECT file, both temporary: " + dead);
    assertTrue(dead.stream().allMatch(n -> KillIT.TEMP.matcher(n).matches()), "only temporary files: " + dead);

    Sqlbak.Result next = Sqlbak.run(folder, "backup", source.toString(), ".");

    assertEquals(0, next.exitCode(), next.describe());
    List<String> names = TestDatabases.listing(folder);
    assertEquals(2, names.size(), "the next run must sweep the dead run's files: " + names);
    assertTrue(names.get(0).matches("app-\\d{8}T\\d{6}Z\\.db"), names.toString());
    assertCompleteCopy(folder.resolve(names.get(0)), source);
    assertSidecar(folder.resolve(names.get(0)));
  }

  /**
   * kill -9 while the run warms memory: only hidden temporary files are left (among them the
   * half-written warm-up file), nothing at the destination name, and the next run sweeps them.
   */
  @Test
  void aRunKilledDuringItsWarmUpLeavesOnlyTemporaryFilesAndTheNextRunSweepsThem() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("kill-warm"));
    List<String> dead = List.of();
    // The warm-up of 100 MiB is short: a kill that lands after it is tried again.
    for (int attempt = 0; attempt < 5 && dead.stream().noneMatch(n -> n.endsWith(".warm")); attempt++) {
      dead.forEach(n -> folder.resolve(n).toFile().delete());
      try (Sqlbak.Running run = Sqlbak.start(folder, "backup", source.toString(), "app.db")) {
        awaitWarmUpFile(folder, run);
        run.kill9();
        assertEquals(137, run.waitFor(Duration.ofSeconds(30)).exitCode(), run.stderrSoFar());
      }
      dead = TestDatabases.listing(folder);
    }
    List<String> leftovers = dead;
    assertTrue(leftovers.stream().anyMatch(n -> n.matches("\\.sqlbak-[0-9a-f]{16}\\.warm")),
        "no kill landed in the warm-up in 5 attempts: " + leftovers);
    assertTrue(leftovers.stream().allMatch(n -> n.matches("\\.sqlbak-[0-9a-f]{16}\\.(warm|lock|db|direct)")),
        "only temporary files may be left: " + leftovers);

    Sqlbak.Result next = Sqlbak.run(folder, "backup", source.toString(), "app.db");

    assertEquals(0, next.exitCode(), next.describe());
    assertEquals(List.of("app.db", "app.db.sha256"), TestDatabases.listing(folder),
        "the next run must sweep the dead run's files");
    assertCompleteCopy(folder.resolve("app.db"), source);
    assertEquals(42, TestDatabases.scalar(folder.resolve("app.db"), "SELECT x FROM late"));
    assertSidecar(folder.resolve("app.db"));
  }

  /** Returns once a warm-up file exists in {@code folder}, or the run has ended, or 60 s passed. */
  private static void awaitWarmUpFile(Path folder, Sqlbak.Running run) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (run.isAlive() && System.nanoTime() < deadline) {
      try (DirectoryStream<Path> warm = Files.newDirectoryStream(folder, "*.warm")) {
        if (warm.iterator().hasNext()) {
          return;
        }
      }
      Thread.sleep(1);
    }
  }
}
