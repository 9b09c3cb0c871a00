package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestCommands;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read-only places, made with read-only bind mounts (root ignores permission bits): a destination
 * folder sqlbak may not write, and a source folder in which SQLite may not create a WAL-mode
 * database's -wal and -shm files.
 */
class ReadOnlyPlacesIT {
  @TempDir static Path dir;
  /** The sources' real folder, and its read-only view. */
  static Path sources;
  static Path roSources;
  /** A destination's real folder, and its read-only view. */
  static Path dests;
  static Path roDests;
  static boolean mounted;
  /** Each source's content digest, taken through a writable path before the folder went read-only. */
  static final Map<String, String> DIGESTS = new HashMap<>();
  /** Each source's row counts by table, taken as its digest was. */
  static final Map<String, Map<String, Long>> ROWS = new HashMap<>();

  @BeforeAll
  static void mountReadOnlyViews() throws Exception {
    sources = Files.createDirectory(dir.resolve("sources"));
    roSources = Files.createDirectory(dir.resolve("ro-sources"));
    dests = Files.createDirectory(dir.resolve("dests"));
    roDests = Files.createDirectory(dir.resolve("ro-dests"));
    Path work = Files.createDirectory(dir.resolve("work"));

    Path roll = TestDatabases.createSample(sources.resolve("roll.db"), false, 300);
    DIGESTS.put("roll.db", TestDatabases.contentDigest(roll));
    ROWS.put("roll.db", TestDatabases.tableRowCounts(roll));
    // A checkpointed WAL-mode database whose last connection closed: no -wal, no -shm.
    Path wal = TestDatabases.createSample(sources.resolve("wal.db"), true, 300);
    DIGESTS.put("wal.db", TestDatabases.contentDigest(wal));
    ROWS.put("wal.db", TestDatabases.tableRowCounts(wal));
    try (Connection c = TestDatabases.open(wal); Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    // Every page is in the file now and no connection is open: an empty -wal and the -shm are
    // what a cleanly closed database would not have.
    assertEquals(0, Files.exists(Path.of(wal + "-wal")) ? Files.size(Path.of(wal + "-wal")) : 0, "set-up");
    Files.deleteIfExists(Path.of(wal + "-wal"));
    Files.deleteIfExists(Path.of(wal + "-shm"));
    assertTrue(!Files.exists(Path.of(wal + "-wal")) && !Files.exists(Path.of(wal + "-shm")), "set-up");
    // WAL-mode databases with commits still in their -wal, as an application that has them open
    // (or was killed) leaves them: copied while a connection holds them, with and without -shm.
    Path live = TestDatabases.createSample(work.resolve("live.db"), true, 300);
    try (Connection c = TestDatabases.open(live); Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_autocheckpoint=0");
      s.execute("CREATE TABLE late(x)");
      s.execute("INSERT INTO late VALUES (1), (2), (3)");
      DIGESTS.put("walopen.db", TestDatabases.contentDigest(live));
      ROWS.put("walopen.db", TestDatabases.tableRowCounts(live));
      for (String suffix : List.of("", "-wal", "-shm")) {
        Files.copy(Path.of(live + suffix), sources.resolve("walopen.db" + suffix));
      }
      for (String suffix : List.of("", "-wal")) {
        Files.copy(Path.of(live + suffix), sources.resolve("walnoshm.db" + suffix));
      }
    }
    assertTrue(Files.size(sources.resolve("walopen.db-wal")) > 0, "set-up: the -wal must hold commits");

    mounted = TestCommands.succeeds("mount", "--bind", sources.toString(), roSources.toString());
    mounted = mounted && TestCommands.succeeds("mount", "-o", "remount,bind,ro", roSources.toString());
    boolean second = mounted && TestCommands.succeeds("mount", "--bind", dests.toString(), roDests.toString());
    second = second && TestCommands.succeeds("mount", "-o", "remount,bind,ro", roDests.toString());
    if (mounted && !second) {
      TestCommands.succeeds("umount", roSources.toString());
      mounted = false;
    }
    Assumptions.assumeTrue(mounted, "cannot make read-only bind mounts (needs root or CAP_SYS_ADMIN)");
  }

  @AfterAll
  static void unmount() {
    if (mounted) {
      assertTrue(TestCommands.succeeds("umount", roSources.toString()), "umount " + roSources);
      assertTrue(TestCommands.succeeds("umount", roDests.toString()), "umount " + roDests);
    }
  }

  @ParameterizedTest(name = "DEST {0}")
  @ValueSource(strings = {"ro-dests", "ro-dests/out.db", "ro-dests/out.db.gz"})
  void aReadOnlyDestinationFailsInOneLineNamingTheFolderAndCreatesNothing(String dest) throws Exception {
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "sources/roll.db", dest);

    String line = assertCleanFailure(r, 1);
    assertTrue(line.contains(roDests.toString()) && line.contains("Read-only file system"),
        "the folder and the reason; " + r.describe());
    assertEquals(before, TestDatabases.snapshot(dir), r.describe());
  }

  /**
   * A source in a read-only folder: rollback mode reads as usual; a WAL-mode database whose -wal
   * and -shm exist is read through them (its commits still in the -wal included); one without a
   * -wal file is read as immutable, since all its pages are in the file. Each time a complete copy,
   * and the folder stays as it was.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"roll.db", "wal.db", "walopen.db"})
  void aSourceInAReadOnlyFolderIsBackedUpCompletely(String name) throws Exception {
    Map<String, String> before = TestDatabases.snapshot(sources);
    Path out = dests.resolve(name + ".bak");

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "-q", "ro-sources/" + name, out.toString());

    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    assertEquals("rollback", TestDatabases.headerJournalMode(out));
    assertEquals("ok", TestDatabases.integrityCheck(out));
    assertEquals(DIGESTS.get(name), TestDatabases.contentDigest(out), "the copy must hold every commit");
    assertSidecar(out);
    assertEquals(before, TestDatabases.snapshot(sources), "the source folder must not change");
  }

  /**
   * info reads what backup reads in a read-only folder (issue 18: a WAL-mode file there failed
   * with SQLITE_CANTOPEN): the right row counts, and the folder as it was.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"roll.db", "wal.db", "walopen.db"})
  void infoReadsADatabaseInAReadOnlyFolder(String name) throws Exception {
    Map<String, String> before = TestDatabases.snapshot(sources);

    Sqlbak.Result r = Sqlbak.run(dir, "info", "--json", "ro-sources/" + name);

    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(r.stdout()).getAsJsonObject();
    assertEquals(name.equals("roll.db") ? "delete" : "wal", o.get("journalMode").getAsString(), r.describe());
    Map<String, Long> rows = new java.util.LinkedHashMap<>();
    for (com.google.gson.JsonElement t : o.getAsJsonArray("tables")) {
      rows.put(t.getAsJsonObject().get("name").getAsString(), t.getAsJsonObject().get("rows").getAsLong());
    }
    assertEquals(ROWS.get(name), rows, "every table with its rows, the -wal's commits included; " + r.describe());
    assertEquals(before, TestDatabases.snapshot(sources), "the source folder must not change");
  }

  /** Commits in a -wal without its -shm cannot be read from a read-only folder: one clear line. */
  @org.junit.jupiter.api.Test
  void aWalWithoutShmInAReadOnlyFolderFailsInOneClearLine() throws Exception {
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "ro-sources/walnoshm.db", "dests/x.db");

    String line = assertCleanFailure(r, 1);
    assertTrue(line.contains("walnoshm.db") && line.contains("-shm") && line.contains("read-only folder"),
        r.describe());
    assertEquals(before, TestDatabases.snapshot(dir), r.describe());
  }

  /** info says the same as backup about commits in a -wal without its -shm in a read-only folder. */
  @org.junit.jupiter.api.Test
  void infoOfAWalWithoutShmInAReadOnlyFolderFailsInOneClearLine() throws Exception {
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result r = Sqlbak.run(dir, "info", "ro-sources/walnoshm.db");

    String line = assertCleanFailure(r, 1);
    assertTrue(line.startsWith("sqlbak: cannot read database: ro-sources/walnoshm.db; ")
        && line.contains("-shm") && line.contains("read-only folder"), r.describe());
    assertEquals(before, TestDatabases.snapshot(dir), r.describe());
  }
}
