package dev.sqlbak.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteException;
import org.sqlite.core.DB;

/**
 * The one class that talks to the sqlite-jdbc driver: opens connections, holds snapshots, drives the
 * online backup API and runs checks, translating every driver error into a {@link SqliteFailure}.
 */
final class SqliteDatabase implements AutoCloseable {
  /** Receives (copied, total) page counts after each backup step. */
  interface PageObserver {
    void pages(long copied, long total);
  }

  static {
    useCachedNativeLibrary();
  }

  private final Connection connection;
  private final String label;

  /**
   * Points sqlite-jdbc at a copy of its native library in a per-user, per-version cache folder
   * ({@code $XDG_CACHE_HOME/sqlbak} or {@code ~/.cache/sqlbak}), extracting it there once. Left to
   * itself the driver extracts it into the temporary folder on every run, which costs start-up
   * time, leaves a copy behind after every kill -9, and fails outright where that folder is
   * missing or mounted noexec. Any problem here just leaves the driver to its own way.
   */
  private static void useCachedNativeLibrary() {
    if (System.getProperty("org.sqlite.lib.path") != null) {
      return; // the user chose a library
    }
    try {
      String platform = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
      String name = System.mapLibraryName("sqlitejdbc");
      java.net.URL resource = SQLiteConnection.class.getResource("/org/sqlite/native/" + platform + "/" + name);
      Path root = nativeCacheRoot();
      if (resource == null || root == null) {
        return;
      }
      long size = resource.openConnection().getContentLengthLong();
      Path dir = root.resolve("sqlite-jdbc-" + org.sqlite.SQLiteJDBCLoader.getVersion() + "-"
          + platform.replace('/', '-'));
      Path lib = dir.resolve(name);
      if (!java.nio.file.Files.isRegularFile(lib) || java.nio.file.Files.size(lib) != size) {
        java.nio.file.Files.createDirectories(dir);
        // Written under a temporary name and renamed: a run killed half-way leaves no torn library.
        Path part = java.nio.file.Files.createTempFile(dir, ".extract-", ".part");
        try (java.io.InputStream in = resource.openStream()) {
          java.nio.file.Files.copy(in, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          java.nio.file.Files.move(part, lib, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
          java.nio.file.Files.deleteIfExists(part);
        }
      }
      System.setProperty("org.sqlite.lib.path", dir.toString());
      System.setProperty("org.sqlite.lib.name", name);
    } catch (java.io.IOException | RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(SqliteDatabase.class)
          .debug("native library cache unavailable; sqlite-jdbc extracts its own", e);
    }
  }

  private static Path nativeCacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "sqlbak");
    }
    String home = System.getProperty("user.home");
    return home == null || home.isBlank() || home.equals("?") ? null : Path.of(home, ".cache", "sqlbak");
  }

  private SqliteDatabase(Connection connection, String label) {
    this.connection = connection;
    this.label = label;
  }

  /**
   * Opens an existing database read-only. A {@code file:} URI with {@code mode=ro} plus the
   * read-only open flag, because the driver's default flags create a missing file.
   */
  static SqliteDatabase openReadOnly(Path file, Duration busyTimeout) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(clampMillis(busyTimeout));
    return open("jdbc:sqlite:" + uriOf(file) + "?mode=ro", config, file.toString());
  }

  /**
   * Opens an existing database read-only as immutable: no locks, no -wal or -shm files. Only for a
   * WAL-mode database with no -wal file in a folder where SQLite cannot create one: then every
   * committed page is in the main file, and the caller must check that the file did not change.
   */
  static SqliteDatabase openImmutable(Path file) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    return open("jdbc:sqlite:" + uriOf(file) + "?mode=ro&immutable=1", config, file.toString());
  }

  /** Opens a database file that sqlbak itself created (a temporary copy) for reading and writing. */
  static SqliteDatabase openOwnCopy(Path file) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(0);
    // A WAL source's copy says WAL in its header. In exclusive locking mode SQLite keeps the WAL
    // index in memory and never creates a -shm file, which on a nearly full disk failed the check
    // with an opaque SQLITE_IOERR_SHMSIZE. Nobody else ever opens this file.
    config.setLockingMode(SQLiteConfig.LockingMode.EXCLUSIVE);
    return open("jdbc:sqlite:" + uriOf(file) + "?mode=rw", config, file.toString());
  }

  /**
   * Opens an existing database for reading and writing without ever creating it: a restore
   * target, which other processes may have open.
   */
  static SqliteDatabase openExisting(Path file, Duration busyTimeout) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(clampMillis(busyTimeout));
    return open("jdbc:sqlite:" + uriOf(file) + "?mode=rw", config, file.toString());
  }

  /**
   * Opens a new, private in-memory database that the backup API can write into by name: a named
   * shared-cache memory database lives as long as one connection to it, this one.
   */
  static SqliteDatabase openMemory() throws SqliteFailure {
    String name = "file:sqlbak-" + UUID.randomUUID() + "?mode=memory&cache=shared";
    return open("jdbc:sqlite:" + name, new SQLiteConfig(), name);
  }

  private static SqliteDatabase open(String url, SQLiteConfig config, String label)
      throws SqliteFailure {
    config.setOpenMode(org.sqlite.SQLiteOpenMode.OPEN_URI);
    try {
      return new SqliteDatabase(config.createConnection(url), label);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** The name under which the backup API reaches this database (memory databases only). */
  String backupTargetName() {
    return label;
  }

  /** SQLite's version as bundled in the driver. */
  static String sqliteVersion() {
    try (SqliteDatabase db = openMemory()) {
      return ((SQLiteConnection) db.connection).getDatabase().libversion();
    } catch (SqliteFailure | SQLException e) {
      return "unknown";
    }
  }

  /** Attaches {@code file} read-only as {@code schema}; never creates the file. */
  void attachReadOnly(String schema, Path file) throws SqliteFailure {
    try (PreparedStatement attach = connection.prepareStatement("ATTACH DATABASE ? AS " + quote(schema))) {
      attach.setString(1, uriOf(file) + "?mode=ro");
      attach.execute();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Schema names in this connection (main, temp and attached). */
  List<String> schemaNames() throws SqliteFailure {
    List<String> names = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA database_list")) {
      while (rs.next()) {
        names.add(rs.getString(2));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return names;
  }

  /**
   * Starts one read transaction covering {@code schemas}. While it is open the backup copies this
   * one snapshot: a stepped copy never restarts when another process commits, and WAL-mode writers
   * are never blocked. Reading each schema's sqlite_master is what actually takes the snapshot.
   */
  void beginSnapshot(Collection<String> schemas) throws SqliteFailure {
    try {
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        for (String schema : schemas) {
          try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(schema) + ".sqlite_master")) {
            rs.next();
          }
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Ends the read transaction, releasing the source's lock as early as possible. */
  void endSnapshot() throws SqliteFailure {
    try {
      connection.rollback();
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  long pageCount(String schema) throws SqliteFailure {
    return pragmaLong(schema, "page_count");
  }

  long pageSize(String schema) throws SqliteFailure {
    return pragmaLong(schema, "page_size");
  }

  String journalMode(String schema) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + quote(schema) + ".journal_mode")) {
      return rs.next() ? rs.getString(1) : "";
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private long pragmaLong(String schema, String pragma) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + quote(schema) + "." + pragma)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Copies {@code schema} into the database named {@code target} with SQLite's online backup API,
   * {@code pagesPerStep} pages per step. The driver reports failure only through its return code,
   * which is checked here.
   */
  void copyTo(String schema, String target, int pagesPerStep, Duration busyTimeout, PageObserver observer)
      throws SqliteFailure {
    int sleepMillis = 50;
    int retries = (int) Math.max(1, clampMillis(busyTimeout) / sleepMillis);
    DB.ProgressObserver progress =
        (remaining, total) -> observer.pages((long) total - remaining, total);
    int rc;
    try {
      rc = ((SQLiteConnection) connection).getDatabase()
          .backup(schema, target, progress, sleepMillis, retries, pagesPerStep);
    } catch (SQLException e) {
      throw failure(e);
    }
    if (rc != 0 && rc != 101) { // SQLITE_OK, SQLITE_DONE
      org.sqlite.SQLiteErrorCode code = org.sqlite.SQLiteErrorCode.getErrorCode(rc);
      throw new SqliteFailure(SqliteFailure.reasonOf(rc), code.name() + ": " + code.message, null);
    }
  }

  /**
   * Writes a compacted copy of {@code schema} to {@code target} (a file that does not exist yet, or
   * a memory database's URI) with VACUUM INTO, which reads one snapshot of its own.
   */
  void vacuumInto(String schema, String target) throws SqliteFailure {
    try (PreparedStatement vacuum = connection.prepareStatement("VACUUM " + quote(schema) + " INTO ?")) {
      vacuum.setString(1, target);
      vacuum.execute();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Switches this (own) copy to rollback-journal mode so that it is one self-contained file. */
  void useRollbackJournal() throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode=DELETE")) {
      String mode = rs.next() ? rs.getString(1) : "";
      if (!"delete".equalsIgnoreCase(mode)) {
        throw new SqliteFailure(SqliteFailure.Reason.OTHER, "journal mode stayed " + mode, null);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Runs the check and returns its problems; an empty list means the check said "ok". */
  List<String> check(CheckLevel level) throws SqliteFailure {
    List<String> problems = new ArrayList<>();
    if (level == CheckLevel.NONE) {
      return problems;
    }
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA main." + level.pragma())) {
      while (rs.next()) {
        String line = rs.getString(1);
        if (!"ok".equals(line)) {
          problems.add(line);
        }
      }
    } catch (SQLException e) {
      SqliteFailure f = failure(e);
      if (f.reason() == SqliteFailure.Reason.CORRUPT) {
        problems.add(f.getMessage());
        return problems;
      }
      throw f;
    }
    return problems;
  }

  /** Every table of the main schema with its row count, in name order. */
  List<TableRows> tableRowCounts() throws SqliteFailure {
    List<String> names = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    List<TableRows> tables = new ArrayList<>();
    for (String name : names) {
      long rows;
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM main." + quote(name))) {
        rows = rs.next() ? rs.getLong(1) : 0;
      } catch (SQLException e) {
        rows = -1; // e.g. a virtual table whose module this build of SQLite lacks
      }
      tables.add(new TableRows(name, rows));
    }
    return tables;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      org.slf4j.LoggerFactory.getLogger(SqliteDatabase.class).debug("closing {}", label, e);
    }
  }

  /** Makes every later statement on this connection unable to write, whatever SQL it runs. */
  void forbidWrites() throws SqliteFailure {
    execute("PRAGMA query_only = ON");
  }

  /** Sets the journal mode of the main schema, e.g. back to what a restore target had. */
  void setJournalMode(String mode) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA main.journal_mode = " + quote(mode))) {
      rs.next();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** A PRAGMA's single text value, such as encoding or journal_mode. */
  String pragmaText(String schema, String pragma) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + quote(schema) + "." + pragma)) {
      return rs.next() ? rs.getString(1) : "";
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** A PRAGMA's single numeric value, such as page_count or user_version. */
  long pragmaNumber(String schema, String pragma) throws SqliteFailure {
    return pragmaLong(schema, pragma);
  }

  /**
   * Every schema object of main as one comparable line each ({@code type name on table: sql}),
   * sorted; two databases with equal lists have the same schema.
   */
  List<String> schemaDefinitions() throws SqliteFailure {
    List<String> lines = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT type, name, tbl_name, sql FROM main.sqlite_schema ORDER BY type, name")) {
      while (rs.next()) {
        lines.add(rs.getString(1) + " " + rs.getString(2) + " on " + rs.getString(3) + ": " + rs.getString(4));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return lines;
  }

  /**
   * Row count and SHA-256 over every value of every row of a table, in the table's own b-tree
   * order (NOT INDEXED), so equal content gives an equal digest whatever the query planner picks.
   */
  TableDigest digestTable(String table) throws SqliteFailure {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    long rows = 0;
    java.nio.ByteBuffer number = java.nio.ByteBuffer.allocate(9);
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM main." + quote(table) + " NOT INDEXED")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        rows++;
        for (int i = 1; i <= columns; i++) {
          Object v = rs.getObject(i);
          number.clear();
          if (v == null) {
            md.update((byte) 0);
          } else if (v instanceof Number && !(v instanceof Double || v instanceof Float)) {
            md.update(number.put((byte) 1).putLong(((Number) v).longValue()).array());
          } else if (v instanceof Number) {
            md.update(number.put((byte) 2).putLong(Double.doubleToLongBits(((Number) v).doubleValue())).array());
          } else if (v instanceof byte[]) {
            byte[] b = (byte[]) v;
            md.update(number.put((byte) 3).putLong(b.length).array());
            md.update(b);
          } else {
            byte[] b = v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            md.update(number.put((byte) 4).putLong(b.length).array());
            md.update(b);
          }
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return new TableDigest(rows, java.util.HexFormat.of().formatHex(md.digest()));
  }

  /** Names of the ordinary (not virtual) tables of main, sorted. */
  List<String> ordinaryTables() throws SqliteFailure {
    List<String> names = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM main.sqlite_schema WHERE type = 'table'"
            + " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return names;
  }

  /**
   * Runs an assertion query and returns null when its first row's first column is true
   * (non-zero), else what was wrong with it.
   */
  String failedAssertion(String sql) {
    try (Statement s = connection.createStatement()) {
      if (!s.execute(sql)) {
        return "returned no rows";
      }
      try (ResultSet rs = s.getResultSet()) {
        if (!rs.next()) {
          return "returned no rows";
        }
        Object v = rs.getObject(1);
        boolean truthy = v instanceof Number ? ((Number) v).doubleValue() != 0
            : v instanceof String && isTruthyText((String) v);
        return truthy ? null : "returned " + (v == null ? "NULL" : v.toString());
      }
    } catch (SQLException e) {
      return "failed: " + e.getMessage();
    }
  }

  private static boolean isTruthyText(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("true")) {
      return true;
    }
    try {
      return Double.parseDouble(t) != 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void execute(String sql) throws SqliteFailure {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Double-quotes an identifier for SQL text. */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** A {@code file:} URI for SQLite, with the path percent-encoded so that ?, # and % stay literal. */
  static String uriOf(Path file) {
    return "file:" + file.toAbsolutePath().toUri().getRawPath();
  }

  private static int clampMillis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(0, d.toMillis()));
  }

  private static SqliteFailure failure(SQLException e) {
    int code = e instanceof SQLiteException ? ((SQLiteException) e).getResultCode().code : e.getErrorCode();
    return new SqliteFailure(SqliteFailure.reasonOf(code), e.getMessage(), e);
  }
}
