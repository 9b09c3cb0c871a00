package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.sqlite.TableRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** info on real files: every reported figure against what SQLite itself says. */
class InfoEngineTest {
  @TempDir Path dir;

  @Test
  void reportsTheDatabasesVitalStatisticsWithoutChangingIt() throws Exception {
    Path db = TestDatabases.createSample(dir.resolve("app.db"), true, 250);
    try (Connection c = TestDatabases.open(db); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 7");
      s.execute("PRAGMA application_id = 1234");
      s.execute("DELETE FROM audit WHERE id > 200");
      s.execute("CREATE TABLE junk AS SELECT randomblob(200000) AS b");
      s.execute("DROP TABLE junk");
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    String before = TestDatabases.sha256(db);

    DatabaseInfo info = new InfoEngine().info(db);

    assertEquals(dev.sqlbak.storage.Location.of(db), info.path());
    assertEquals(Files.size(db), info.fileSize());
    assertEquals(TestDatabases.scalar(db, "PRAGMA page_size"), info.pageSize());
    assertEquals(TestDatabases.scalar(db, "PRAGMA page_count"), info.pageCount());
    assertEquals(TestDatabases.scalar(db, "PRAGMA freelist_count"), info.freelistPages());
    assertTrue(info.freelistPages() > 0, "the delete should have freed pages");
    assertEquals("wal", info.journalMode());
    assertEquals("UTF-8", info.encoding());
    assertEquals(7, info.userVersion());
    assertEquals(1234, info.applicationId());
    assertEquals(List.of("main"), info.schemas());
    assertEquals(List.of(new TableRows("audit", 200), new TableRows("sqlite_sequence", 1),
        new TableRows("users", 250)), info.tables());
    assertEquals(before, TestDatabases.sha256(db));
  }

  @Test
  void notADatabaseAndMissingFilesFail() throws Exception {
    Path text = dir.resolve("t.db");
    Files.writeString(text, "plain text, long enough to look like something\n".repeat(50));
    assertEquals("not a SQLite database: " + text,
        assertThrows(SqlbakException.class, () -> new InfoEngine().info(text)).getMessage());
    Path missing = dir.resolve("missing.db");
    assertEquals("database not found: " + missing,
        assertThrows(SqlbakException.class, () -> new InfoEngine().info(missing)).getMessage());
    assertTrue(Files.notExists(missing));
  }

  /** info has no --busy-timeout: its lock error says how long it waited without naming that option. */
  @Test
  void aLockedDatabaseFailsWithoutNamingAnOptionInfoDoesNotHave() throws Exception {
    Path db = TestDatabases.createSample(dir.resolve("app.db"), false, 20);
    try (Connection holder = TestDatabases.open(db); Statement s = holder.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      SqlbakException e = assertThrows(SqlbakException.class, () -> new InfoEngine().info(db));
      s.execute("ROLLBACK");
      assertEquals("database is locked: " + db + "; another process held a lock longer than the 5s info waits;"
          + " try again when it is done", e.getMessage());
    }
  }

  /**
   * A WAL-mode database with no -wal content in a read-only folder (a read-only bind mount: root
   * ignores permission bits) is read as backup reads it, without locks, and nothing is created there.
   */
  @Test
  void aWalModeDatabaseInAReadOnlyFolderIsRead() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("ro"));
    Path db = TestDatabases.createSample(folder.resolve("wal.db"), true, 123);
    try (Connection c = TestDatabases.open(db); Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    Files.deleteIfExists(Path.of(db + "-wal"));
    Files.deleteIfExists(Path.of(db + "-shm"));
    java.util.Map<String, Long> rows = TestDatabases.tableRowCounts(db);
    Files.deleteIfExists(Path.of(db + "-wal"));
    Files.deleteIfExists(Path.of(db + "-shm"));
    org.junit.jupiter.api.Assumptions.assumeTrue(
        dev.sqlbak.TestCommands.succeeds("mount", "--bind", folder.toString(), folder.toString())
            && dev.sqlbak.TestCommands.succeeds("mount", "-o", "remount,bind,ro", folder.toString()),
        "needs mount (root or CAP_SYS_ADMIN) to make a folder read-only for root; not available here");
    DatabaseInfo info;
    try {
      info = new InfoEngine().info(db);
    } finally {
      dev.sqlbak.TestCommands.succeeds("umount", folder.toString());
    }
    assertEquals("wal", info.journalMode());
    java.util.Map<String, Long> reported = new java.util.LinkedHashMap<>();
    for (TableRows t : info.tables()) {
      reported.put(t.name(), t.rows());
    }
    assertEquals(rows, reported);
    assertEquals(List.of("wal.db"), TestDatabases.listing(folder), "no -wal or -shm made");
  }
}
