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

  private final Connection connection;
  private final String label;

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

  /** Opens a database file that sqlbak itself created (a temporary copy) for reading and writing. */
  static SqliteDatabase openOwnCopy(Path file) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(0);
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
      if (f.reason() == SqliteFailure.Reason.CORRUPT || f.reason() == SqliteFailure.Reason.NOT_A_DATABASE) {
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
