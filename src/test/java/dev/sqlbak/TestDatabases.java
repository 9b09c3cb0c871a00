package dev.sqlbak;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds and inspects real SQLite files for tests (plain JDBC; tests never need the sqlite3 CLI). */
public final class TestDatabases {
  private TestDatabases() {}

  /** Opens a read-write connection; the caller closes it. */
  public static Connection open(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  /**
   * A small database with a table, an index, a trigger, a view and blobs: {@code rows} users, each
   * with an audit row written by the trigger. {@code wal} selects WAL mode, else rollback (DELETE).
   */
  public static Path createSample(Path file, boolean wal, int rows) throws SQLException {
    try (Connection c = open(file); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=" + (wal ? "WAL" : "DELETE"));
      s.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL, avatar BLOB)");
      s.execute("CREATE INDEX users_name ON users(name)");
      s.execute("CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER, note TEXT)");
      s.execute("CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN "
          + "INSERT INTO audit(user_id, note) VALUES (new.id, 'created ' || new.name); END");
      s.execute("CREATE VIEW user_names AS SELECT name FROM users");
      c.setAutoCommit(false);
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") "
          + "INSERT INTO users(id, name, avatar) SELECT i, 'user' || i, randomblob(64) FROM n");
      c.commit();
    }
    return file;
  }

  /** A database of about {@code megabytes} MiB of random blobs in one table {@code t(id, b)}. */
  public static Path createLarge(Path file, boolean wal, int megabytes) throws SQLException {
    return createLarge(file, wal, megabytes, 4096);
  }

  /**
   * As {@link #createLarge(Path, boolean, int)} with pages of {@code pageSize} bytes: smaller pages
   * mean more backup steps for the same data, so a copy takes long enough to act during it.
   */
  public static Path createLarge(Path file, boolean wal, int megabytes, int pageSize) throws SQLException {
    int rows = megabytes * 256; // 4 KiB rows
    try (Connection c = open(file); Statement s = c.createStatement()) {
      s.execute("PRAGMA page_size=" + pageSize);
      s.execute("PRAGMA journal_mode=" + (wal ? "WAL" : "DELETE"));
      s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)");
      c.setAutoCommit(false);
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") "
          + "INSERT INTO t(id, b) SELECT i, randomblob(4000) FROM n");
      c.commit();
      if (wal) {
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    return file;
  }

  /**
   * A database of {@code rows} random 4000-byte blobs in table {@code t(id, b)}, one 4 KiB page
   * each: sizes between whole MiB, for placing a restore's needs around a disk's free space.
   */
  public static Path createBlobRows(Path file, boolean wal, int rows) throws SQLException {
    try (Connection c = open(file); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=" + (wal ? "WAL" : "DELETE"));
      s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)");
      c.setAutoCommit(false);
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") "
          + "INSERT INTO t(id, b) SELECT i, randomblob(4000) FROM n");
      c.commit();
      if (wal) {
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    return file;
  }

  /**
   * Leaves at {@code crashed} what a writer killed in mid-transaction leaves: a copy of
   * {@code db} taken while a big update has already spilled changed pages into the file, with the
   * hot journal beside it ({@code <crashed>-journal}). {@code db} itself is rolled back and
   * unchanged. {@code db} must be in rollback-journal mode and hold table {@code users}.
   */
  public static Path copyInMidTransaction(Path db, Path crashed) throws Exception {
    Path journal = db.resolveSibling(db.getFileName() + "-journal");
    try (Connection c = open(db); Statement s = c.createStatement()) {
      // A tiny cache makes SQLite write changed pages into the file before the commit.
      s.execute("PRAGMA cache_size=2");
      c.setAutoCommit(false);
      s.execute("UPDATE users SET name = name || '-changed', avatar = randomblob(200)");
      if (!Files.exists(journal) || Files.size(journal) == 0) {
        throw new IllegalStateException("no journal during the transaction: " + journal);
      }
      Files.copy(db, crashed);
      Files.copy(journal, crashed.resolveSibling(crashed.getFileName() + "-journal"));
      c.rollback();
    }
    return crashed;
  }

  /**
   * Copies a closed WAL-mode database file as {@code cp} would: its -wal is empty once the last
   * connection closed, so {@code copy} is a whole database whose header says WAL, alone.
   */
  public static Path plainCopyOfWalFile(Path walDb, Path copy) throws IOException {
    Files.copy(walDb, copy);
    if (!"wal".equals(headerJournalMode(copy))) {
      throw new IllegalStateException("the copy's header does not say WAL: " + copy);
    }
    return copy;
  }

  /** The result of PRAGMA integrity_check, joined ("ok" for a sound database). */
  public static String integrityCheck(Path file) throws SQLException {
    return String.join("\n", column(file, "PRAGMA integrity_check"));
  }

  /** The first column of every row of {@code sql}, as strings. */
  public static List<String> column(Path file, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:"
            + file.toAbsolutePath().toUri().getRawPath() + "?mode=ro");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** A single numeric result. */
  public static long scalar(Path file, String sql) throws SQLException {
    return Long.parseLong(column(file, sql).get(0));
  }

  /**
   * A digest of the whole logical content: schema SQL plus every row of every table, in rowid
   * order. Two databases with equal digests hold the same data.
   */
  public static String contentDigest(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:"
            + file.toAbsolutePath().toUri().getRawPath() + "?mode=ro");
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(
          "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")) {
        while (rs.next()) {
          md.update((rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(4) + "\n").getBytes());
          if ("table".equals(rs.getString(1))) {
            tables.add(rs.getString(2));
          }
        }
      }
      for (String t : tables) {
        try (ResultSet rs = s.executeQuery("SELECT * FROM \"" + t.replace("\"", "\"\"") + "\" ORDER BY rowid")) {
          ResultSetMetaData meta = rs.getMetaData();
          while (rs.next()) {
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              byte[] v = rs.getBytes(i);
              md.update(v == null ? new byte[] {0} : v);
              md.update((byte) '|');
            }
            md.update((byte) '\n');
          }
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * Overwrites one whole page (0-based {@code pageIndex}) with a byte pattern, the way a failing
   * disk would, leaving every other page, and so the header, intact.
   */
  public static void scribblePage(Path file, long pageIndex) throws Exception {
    long pageSize = scalar(file, "PRAGMA page_size");
    byte[] bytes = java.nio.file.Files.readAllBytes(file);
    int offset = (int) (pageSize * pageIndex);
    for (int i = 0; i < pageSize; i++) {
      bytes[offset + i] = (byte) (i * 31 + 7);
    }
    java.nio.file.Files.write(file, bytes);
  }

  /** The page in the middle of a database, for {@link #scribblePage}. */
  public static long middlePage(Path file) throws Exception {
    return scalar(file, "PRAGMA page_count") / 2;
  }

  /** The file's raw bytes' SHA-256, hex. */
  public static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    // Streamed: backups under test reach hundreds of MiB.
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Names in a folder, sorted; for asserting exactly what a run left behind. */
  /** What sqlbak left in its private scratch folder under {@code tmpdir} (java.io.tmpdir). */
  public static List<String> scratchFiles(Path tmpdir) throws java.io.IOException {
    Path own = tmpdir.resolve("sqlbak-" + System.getProperty("user.name"));
    return java.nio.file.Files.isDirectory(own) ? listing(own) : List.of();
  }

  /** The names in {@code folder}, sorted. */
  public static List<String> listing(Path folder) throws java.io.IOException {
    try (var s = java.nio.file.Files.list(folder)) {
      String[] names = s.map(p -> p.getFileName().toString()).toArray(String[]::new);
      Arrays.sort(names);
      return List.of(names);
    }
  }

  /**
   * The journal mode a database file's header asks for (bytes 18 and 19): {@code "wal"} or
   * {@code "rollback"}. Read from the bytes, because opening a WAL file would create -wal/-shm.
   */
  public static String headerJournalMode(Path file) throws IOException {
    byte[] header = new byte[20];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(header, 0, header.length) < header.length) {
        return "short";
      }
    }
    if (header[18] == 2 && header[19] == 2) {
      return "wal";
    }
    return header[18] == 1 && header[19] == 1 ? "rollback" : "unknown";
  }

  /** Every table of the main schema with its row count, in name order (as sqlbak's summary). */
  public static Map<String, Long> tableRowCounts(Path file) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : column(file, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")) {
      counts.put(table, scalar(file, "SELECT count(*) FROM \"" + table.replace("\"", "\"\"") + "\""));
    }
    return counts;
  }

  /**
   * Everything under {@code root}, by relative path: a file's SHA-256, {@code "dir"}, or a
   * symlink's target. Two equal snapshots mean nothing was created, removed or changed.
   */
  public static Map<String, String> snapshot(Path root) throws Exception {
    Map<String, String> entries = new TreeMap<>();
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.filter(p -> !p.equals(root)).toList();
    }
    for (Path p : paths) {
      String key = root.relativize(p).toString();
      if (Files.isSymbolicLink(p)) {
        entries.put(key, "link->" + Files.readSymbolicLink(p));
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        entries.put(key, "dir");
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        entries.put(key, sha256(p));
      } else {
        entries.put(key, "special"); // a FIFO or socket: reading it could block forever
      }
    }
    return entries;
  }

  /**
   * The hash line of a sidecar ({@code <sha256>  <name>}, with its newline), below the provenance
   * comment lines, which must each start {@code # } and come first.
   */
  public static String hashLine(Path sidecar) throws IOException {
    List<String> lines = Files.readAllLines(sidecar, java.nio.charset.StandardCharsets.UTF_8);
    int first = 0;
    while (first < lines.size() && lines.get(first).startsWith("# ")) {
      first++;
    }
    if (first != lines.size() - 1) {
      throw new AssertionError("a sidecar is comment lines, then one hash line: " + lines);
    }
    return lines.get(first) + "\n";
  }

  /**
   * A database whose index {@code i} claims to be on {@code t(b)} while its entries are of
   * {@code a}: damage that quick_check does not see and integrity_check does.
   */
  public static Path createWithIndexDamage(Path file) throws SQLException {
    try (Connection c = open(file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(a, b)");
      s.execute("CREATE INDEX i ON t(a)");
      s.execute("INSERT INTO t VALUES (1, 100), (2, 200), (3, 300)");
      s.execute("PRAGMA writable_schema = ON");
      s.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX i ON t(b)' WHERE name = 'i'");
    }
    return file;
  }

  /** Whether a rollback journal whose header is not zeroed, pages the next open would put back, is beside {@code db}. */
  public static boolean hotJournalBeside(Path db) throws java.io.IOException {
    Path journal = db.resolveSibling(db.getFileName() + "-journal");
    if (!Files.exists(journal) || Files.size(journal) < 8) {
      return false;
    }
    byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(journal), 8);
    return java.util.Arrays.equals(head, new byte[] {(byte) 0xd9, (byte) 0xd5, 0x05, (byte) 0xf9, 0x20,
        (byte) 0xa1, 0x63, (byte) 0xd7});
  }
}
