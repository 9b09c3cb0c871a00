package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.sqlite.TableRows;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** backup --table: a logical partial backup holding exactly the chosen tables and what hangs on them. */
class TableBackupTest {
  /** The chosen tables of {@link #source}; {@code unchosen} and {@code counters} stay behind. */
  private static final List<String> CHOSEN =
      List.of("users", "audit", "notes", "kv", "sizes", "we\"ird tab", "shadowed");

  @TempDir Path dir;
  private final BackupEngine engine = new BackupEngine();

  /**
   * One table of each kind the copy must handle, with gaps in the rowids, non-default page size,
   * user_version and application_id, and an index, a trigger and a sqlite_sequence row on tables
   * that are not chosen.
   */
  private Path source(boolean wal) throws Exception {
    Path file = dir.resolve("app.db");
    try (Connection c = TestDatabases.open(file); Statement s = c.createStatement()) {
      s.execute("PRAGMA page_size = 1024");
      s.execute("PRAGMA journal_mode = " + (wal ? "WAL" : "DELETE"));
      s.execute("PRAGMA user_version = 7");
      s.execute("PRAGMA application_id = 4242");
      s.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL, avatar BLOB)");
      s.execute("CREATE INDEX users_name ON users(name)");
      s.execute("CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER, note TEXT)");
      s.execute("CREATE TRIGGER users_audit AFTER INSERT ON USERS BEGIN "
          + "INSERT INTO audit(user_id, note) VALUES (new.id, 'created ' || new.name); END");
      s.execute("CREATE VIEW user_names AS SELECT name FROM users");
      s.execute("CREATE TABLE notes(body TEXT)");
      s.execute("CREATE TABLE kv(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
      s.execute("CREATE TABLE sizes(id INTEGER PRIMARY KEY, w INT, h INT,"
          + " area INT AS (w * h) STORED, perimeter INT GENERATED ALWAYS AS (2 * (w + h)) VIRTUAL)");
      s.execute("CREATE TABLE \"we\"\"ird tab\"(\"a b\" TEXT, [select] INT)");
      s.execute("CREATE UNIQUE INDEX \"we\"\"ird idx\" ON \"we\"\"ird tab\"(\"a b\")");
      s.execute("CREATE TRIGGER \"we\"\"ird trg\" BEFORE DELETE ON \"we\"\"ird tab\" BEGIN SELECT 1; END");
      s.execute("CREATE TABLE shadowed(\"rowid\" TEXT, v INT)");
      s.execute("CREATE TABLE counters(id INTEGER PRIMARY KEY AUTOINCREMENT, n INT)");
      s.execute("CREATE TABLE unchosen(x)");
      s.execute("CREATE INDEX unchosen_x ON unchosen(x)");
      s.execute("CREATE TRIGGER unchosen_trg AFTER INSERT ON unchosen BEGIN SELECT 1; END");
      c.setAutoCommit(false);
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
          + "INSERT INTO users(id, name, avatar) SELECT i, 'user' || i, randomblob(100) FROM n");
      s.execute("DELETE FROM users WHERE id % 7 = 0");
      s.execute("DELETE FROM audit WHERE id > 190"); // the sequence stays at 200
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
          + "INSERT INTO notes(body) SELECT 'note ' || i FROM n");
      s.execute("DELETE FROM notes WHERE rowid IN (3, 4, 17, 30)");
      s.execute("INSERT INTO kv VALUES ('b', x'01'), ('a', x'02'), ('c', NULL)");
      s.execute("INSERT INTO sizes(id, w, h) VALUES (10, 2, 3), (20, 4, 5)");
      s.execute("INSERT INTO \"we\"\"ird tab\" VALUES ('x y', 1), ('z', 2)");
      s.execute("INSERT INTO shadowed(rowid, v) VALUES ('one', 1), ('two', 2), ('three', 3)");
      s.execute("DELETE FROM shadowed WHERE v = 2");
      s.execute("INSERT INTO counters(n) VALUES (1), (2)");
      s.execute("INSERT INTO unchosen VALUES (1)");
      c.commit();
    }
    return file;
  }

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void copyHoldsTheChosenTablesWithRowidsIndexesTriggersAndSequenceAndNothingElse(boolean wal)
      throws Exception {
    Path source = source(wal);
    String sourceBytes = TestDatabases.sha256(source);
    Path out = Files.createDirectory(dir.resolve("out"));
    Path dest = out.resolve("part.db");

    BackupCopy copy = engine.backup(BackupRequest.of(source, dest.toString()).withTables(CHOSEN),
        ProgressListener.NONE).copies().get(0);

    assertEquals(sourceBytes, TestDatabases.sha256(source), "the source must not change");
    assertEquals(List.of("part.db", "part.db.sha256"), TestDatabases.listing(out));
    assertEquals("ok", TestDatabases.integrityCheck(dest));
    assertEquals("rollback", TestDatabases.headerJournalMode(dest));
    assertEquals("delete", TestDatabases.column(dest, "PRAGMA journal_mode").get(0));
    assertTrue(TestDatabases.hashLine(Sidecar.of(dest)).startsWith(TestDatabases.sha256(dest) + "  part.db"));
    for (String pragma : List.of("page_size", "user_version", "application_id", "encoding")) {
      assertEquals(TestDatabases.column(source, "PRAGMA " + pragma), TestDatabases.column(dest, "PRAGMA " + pragma), pragma);
    }
    assertEquals(TestDatabases.scalar(dest, "PRAGMA page_count"), copy.pageCount());
    assertEquals(Files.size(dest), copy.bytes());

    // The schema is exactly the source's objects on the chosen tables: no view, nothing of the others.
    assertEquals(schemaOf(source, "WHERE type <> 'view' AND tbl_name NOT IN ('counters', 'unchosen')"),
        schemaOf(dest, ""));
    assertEquals(List.of("users_name", "we\"ird idx"),
        TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"));
    assertEquals(List.of("users_audit", "we\"ird trg"),
        TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"));

    // Rows with their rowids, gaps and all, including where a column is named rowid.
    for (String query : List.of(
        "SELECT rowid, * FROM users ORDER BY rowid",
        "SELECT rowid, * FROM audit ORDER BY rowid",
        "SELECT rowid, * FROM notes ORDER BY rowid",
        "SELECT * FROM kv ORDER BY k",
        "SELECT rowid, id, w, h, area, perimeter FROM sizes ORDER BY rowid",
        "SELECT rowid, * FROM \"we\"\"ird tab\" ORDER BY rowid",
        "SELECT _rowid_, * FROM shadowed ORDER BY _rowid_")) {
      assertEquals(rows(source, query), rows(dest, query), query);
    }
    assertEquals(List.of("1|one|1|", "3|three|3|"), rows(dest, "SELECT _rowid_, * FROM shadowed ORDER BY _rowid_"));
    assertEquals(List.of("10|6|10|", "20|20|18|"), rows(dest, "SELECT id, area, perimeter FROM sizes ORDER BY id"));
    assertEquals(List.of("1|", "2|", "5|", "6|"), rows(dest, "SELECT rowid FROM notes WHERE rowid < 7 ORDER BY rowid"));

    // sqlite_sequence: the chosen AUTOINCREMENT table's row as in the source, above its largest id.
    assertEquals(List.of("audit|200|"), rows(dest, "SELECT name, seq FROM sqlite_sequence"));
    assertEquals(190, TestDatabases.scalar(dest, "SELECT max(id) FROM audit"));
    assertEquals(Map.of("audit", 190L, "kv", 3L, "notes", 26L, "shadowed", 2L, "sizes", 2L, "users", 172L,
        "we\"ird tab", 2L), Map.copyOf(copiedRows(copy)));

    // The copied trigger works, and AUTOINCREMENT carries on from the copied sequence.
    try (Connection c = TestDatabases.open(dest); Statement s = c.createStatement()) {
      s.execute("INSERT INTO users(id, name) VALUES (1000, 'new')");
    }
    assertEquals(List.of("201|1000|created new|"), rows(dest, "SELECT * FROM audit WHERE user_id = 1000"));
  }

  @Test
  void tableNamesMatchCaseInsensitivelyAndATriggerMayReferToATableLeftBehind() throws Exception {
    Path source = source(false);
    Path dest = dir.resolve("users.db");

    BackupCopy copy = engine.backup(BackupRequest.of(source, dest.toString()).withTables(List.of("USERS")),
        ProgressListener.NONE).copies().get(0);

    assertEquals(List.of(new TableRows("users", 172)), copy.tables());
    assertEquals(List.of("users"), TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE type = 'table'"));
    assertEquals(List.of("users_audit"), TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE type = 'trigger'"));
    assertEquals(List.of(), TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE name = 'sqlite_sequence'"));
    assertEquals("ok", TestDatabases.integrityCheck(dest));
  }

  @Test
  void unknownTableViewVirtualAndInternalTablesFailAndCreateNothing() throws Exception {
    Path source = source(false);
    try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
      s.execute("CREATE VIRTUAL TABLE docs USING fts5(body)");
    }
    Path out = Files.createDirectory(dir.resolve("out"));
    Map<String, String> before = TestDatabases.snapshot(dir);

    assertEquals("unknown table: nosuch; " + source + " has audit, counters, kv, notes, shadowed, sizes,"
            + " unchosen, users, we\"ird tab",
        fails(source, out, "users", "nosuch").getMessage());
    assertEquals("not a table but a view: user_names; views are not copied",
        fails(source, out, "User_Names").getMessage());
    assertEquals("cannot copy a virtual table: docs; --table copies ordinary tables; back up the whole"
        + " database instead", fails(source, out, "docs").getMessage());
    assertEquals("cannot copy a shadow table: docs_data; --table copies ordinary tables; back up the"
        + " whole database instead", fails(source, out, "docs_data").getMessage());
    assertEquals("cannot copy SQLite's own table: sqlite_sequence; the sqlite_sequence rows of the"
        + " chosen tables come with them", fails(source, out, "sqlite_sequence").getMessage());

    assertEquals(before, TestDatabases.snapshot(dir), "nothing may be created, nor the source changed");
  }

  @Test
  void aUtf16SourceGoesToMemoryToAStreamAndToACompressedDirectory() throws Exception {
    Path source = dir.resolve("utf16.db");
    try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
      s.execute("PRAGMA encoding = 'UTF-16le'");
      s.execute("CREATE TABLE words(id INTEGER PRIMARY KEY AUTOINCREMENT, w TEXT)");
      s.execute("CREATE TABLE other(x)");
      s.execute("INSERT INTO words(w) VALUES ('grüße'), ('日本'), ('x')");
      s.execute("DELETE FROM words WHERE id = 2");
    }
    BackupRequest request = BackupRequest.of(source, BackupRequest.MEMORY).withTables(List.of("words"));

    BackupCopy memory = engine.backup(request, ProgressListener.NONE).copies().get(0);
    assertEquals(List.of(new TableRows("sqlite_sequence", 1), new TableRows("words", 2)), memory.tables());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    engine.stream(request, bytes, ProgressListener.NONE);
    Path streamed = Files.write(dir.resolve("streamed.db"), bytes.toByteArray());
    assertEquals(List.of("UTF-16le"), TestDatabases.column(streamed, "PRAGMA encoding"));
    assertEquals(rows(source, "SELECT rowid, * FROM words"), rows(streamed, "SELECT rowid, * FROM words"));
    assertEquals(List.of("sqlite_sequence", "words"),
        TestDatabases.column(streamed, "SELECT name FROM sqlite_schema ORDER BY name"));

    Path out = Files.createDirectory(dir.resolve("out"));
    BackupCopy zst = engine.backup(request.withDestination(out.toString()).withCompression(Compression.ZSTD),
        ProgressListener.NONE).copies().get(0);
    assertTrue(zst.file().getFileName().toString().matches("utf16-\\d{8}T\\d{6}Z\\.db\\.zst"), zst.toString());
    Path restored = dir.resolve("restored.db");
    new RestoreEngine().restore(RestoreRequest.of(zst.file(), restored), ProgressListener.NONE);
    assertEquals(TestDatabases.contentDigest(streamed), TestDatabases.contentDigest(restored));
  }

  @Test
  void aSourcePathThatNeedsPercentEncodingIsAttachedAsItselfAndNeverCreated() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("we?ird #%41 folder"));
    Path source = TestDatabases.createSample(folder.resolve("a?b#c%20.db"), false, 20);
    Path dest = dir.resolve("part.db");

    engine.backup(BackupRequest.of(source, dest.toString()).withTables(List.of("users")), ProgressListener.NONE);

    assertEquals(rows(source, "SELECT rowid, * FROM users"), rows(dest, "SELECT rowid, * FROM users"));
    assertEquals(List.of("a?b#c%20.db"), TestDatabases.listing(folder));
    assertEquals(List.of("part.db", "part.db.sha256", "we?ird #%41 folder"), TestDatabases.listing(dir));
  }

  @Test
  void tablesOfAnAttachedSchema() throws Exception {
    Path source = source(false);
    Path other = TestDatabases.createSample(dir.resolve("other.db"), false, 30);
    Path dest = dir.resolve("other-users.db");

    engine.backup(new BackupRequest(source, dest.toString(), List.of("aux"), Map.of("aux", other), null,
        null, null, false, null, null, false, List.of("users"), null), ProgressListener.NONE);

    assertEquals(rows(other, "SELECT rowid, * FROM users"), rows(dest, "SELECT rowid, * FROM users"));
    assertEquals(List.of("users"), TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE type = 'table'"));
  }

  @Test
  void lockedSourceFailsSayingSo() throws Exception {
    Path source = source(false);
    Path out = Files.createDirectory(dir.resolve("out"));
    try (Connection holder = TestDatabases.open(source); Statement s = holder.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      SqlbakException e = assertThrows(SqlbakException.class, () -> engine.backup(
          BackupRequest.of(source, out.toString()).withTables(List.of("users"))
              .withBusyTimeout(Duration.ofMillis(300)), ProgressListener.NONE));
      assertEquals("source is locked: " + source
          + "; another process held a lock longer than --busy-timeout 300ms", e.getMessage());
      s.execute("ROLLBACK");
    }
    assertEquals(List.of(), TestDatabases.listing(out));
  }

  @Test
  void tableCannotGoWithPagesCompactSeveralSchemasOrTheSameNameTwice() {
    Path source = dir.resolve("app.db");
    BackupRequest request = BackupRequest.of(source, "x.db").withTables(List.of("users"));
    assertEquals("--table cannot go with --pages: 5; a table backup copies rows in one transaction,"
        + " without page steps", usage(() -> request.withPages(5)).getMessage());
    assertEquals(SqlbakException.Kind.USAGE, usage(() -> request.withCompact(true)).kind());
    assertEquals("--table copies from one schema: main, aux; back up the tables of each schema in its own run",
        usage(() -> request.withSchemas(List.of("main", "aux"), Map.of("aux", source))).getMessage());
    assertEquals("table named twice: USERS",
        usage(() -> request.withTables(List.of("users", "USERS"))).getMessage());
  }

  private SqlbakException fails(Path source, Path out, String... tables) {
    SqlbakException e = assertThrows(SqlbakException.class, () -> engine.backup(
        BackupRequest.of(source, out.toString()).withTables(List.of(tables)), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.FAILED, e.kind());
    return e;
  }

  private static SqlbakException usage(org.junit.jupiter.api.function.Executable build) {
    SqlbakException e = assertThrows(SqlbakException.class, build);
    assertEquals(SqlbakException.Kind.USAGE, e.kind());
    return e;
  }

  private static Map<String, Long> copiedRows(BackupCopy copy) {
    Map<String, Long> rows = new java.util.HashMap<>();
    copy.tables().forEach(t -> rows.put(t.name(), t.rows()));
    return rows;
  }

  private static List<String> schemaOf(Path file, String where) throws Exception {
    return rows(file, "SELECT type, name, tbl_name, sql FROM sqlite_schema " + where + " ORDER BY type, name");
  }

  /** Every row of a query on a read-only connection, its values joined with {@code |}; blobs as hex. */
  static List<String> rows(Path file, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:file:"
            + file.toAbsolutePath().toUri().getRawPath() + "?mode=ro");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          Object v = rs.getObject(i);
          row.append(v instanceof byte[] ? java.util.HexFormat.of().formatHex((byte[]) v) : String.valueOf(v)).append('|');
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }
}
