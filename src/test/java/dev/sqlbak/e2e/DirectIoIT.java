package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
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
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built sqlbak backing up a WAL-mode database whose snapshot is partly in its -wal file (so the
 * copy goes through SQLite's backup API), or one with nothing in its -wal (copied byte for byte):
 * the file it publishes is written with O_DIRECT, holds
 * the same bytes as a run told to use the page cache ({@code SQLBAK_TUNING=off}), and a run
 * killed while both files exist leaves nothing at a destination name.
 */
@DisabledIfEnvironmentVariable(named = "SQLBAK_TUNING", matches = "off",
    disabledReason = "tests the O_DIRECT tuning itself, which the plain-tuning pass turns off")
class DirectIoIT {
  static final String DIRECT_LINE = "is written with O_DIRECT";

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

    backUpByDefaultAndWithVariableOff(folder, "SQLBAK_TUNING", DIRECT_LINE);

    Sqlbak.Result verify = Sqlbak.run(folder, "verify", "default.db", "off.db");
    assertEquals(0, verify.exitCode(), verify.describe());
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
    Sqlbak.Result cached = Sqlbak.runWithEnvironment(folder, Map.of("SQLBAK_TUNING", "off"),
        "backup", "--verbose", quiet.toString(), "cached.db");
    Sqlbak.Result plain = Sqlbak.run(folder, "backup", "--verbose", rollback.toString(), "plain.db");

    for (Sqlbak.Result r : List.of(direct, unchecked, cached, plain)) {
      assertEquals(0, r.exitCode(), r.describe());
    }
    assertTrue(direct.stderr().contains(DIRECT_LINE), "a checked run must write with O_DIRECT: " + direct.describe());
    assertFalse(unchecked.stderr().contains(DIRECT_LINE), "--check none must not: " + unchecked.describe());
    assertFalse(cached.stderr().contains(DIRECT_LINE), "SQLBAK_TUNING=off must not: " + cached.describe());
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


}
