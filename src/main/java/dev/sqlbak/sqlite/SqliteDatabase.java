package dev.sqlbak.sqlite;

import static dev.sqlbak.sqlite.SqlText.quote;
import static dev.sqlbak.sqlite.SqlText.uriOf;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.source.LiveDatabaseFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.sqlite.BusyHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * A connection to one SQLite database and the entry point to this package, the only one that uses
 * the sqlite-jdbc driver: it opens the connection, owns its live files until it closes, holds
 * snapshots, and hands page copies, table copies, settings and checks to the package's classes for
 * each, every driver error becoming a {@link SqliteFailure}.
 */
public final class SqliteDatabase implements AutoCloseable {
  /** Receives (copied, total) page counts after each backup step. */
  public interface PageObserver {
    void pages(long copied, long total);
  }

  /**
   * One table-like object of a schema, as PRAGMA table_list describes it.
   *
   * @param name its name as created
   * @param type {@code table}, {@code view}, {@code virtual} or {@code shadow} (part of a virtual
   *     table)
   * @param withoutRowid whether it is a WITHOUT ROWID table
   */
  public record ListedTable(String name, String type, boolean withoutRowid) {}

  static {
    SqliteNativeLibrary.useCached();
  }

  private final Connection connection;
  private final String label;
  /** The live files this connection reads, let go of only after it has closed (see {@link LiveDatabaseFiles}). */
  private final List<LiveDatabaseFiles> owned = new ArrayList<>();
  private final SchemaSettings settings;
  private PatientBusyHandler busyHandler;

  private SqliteDatabase(Connection connection, String label) {
    this.connection = connection;
    this.label = label;
    this.settings = new SchemaSettings(connection);
  }

  /**
   * Opens an existing database read-only, through the real path its {@code files} hold; the
   * connection owns them from now on and lets go of them after it closes (also if it cannot be
   * opened). A {@code file:} URI with {@code mode=ro} plus the read-only open flag, because the
   * driver's default flags create a missing file.
   */
  public static SqliteDatabase openReadOnly(LiveDatabaseFiles files, Duration busyTimeout) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    return open("jdbc:sqlite:" + uriOf(files.real()) + "?mode=ro", config, files).waitingPatiently(busyTimeout);
  }

  /**
   * Opens an existing database read-only as immutable: no locks, no -wal or -shm files. Only for a
   * WAL-mode database with no -wal content, where every committed page is in the main file: a
   * source in a folder where SQLite cannot create a -wal file (the caller must check that the file
   * did not change), or a backup being read. Owns {@code files} as {@link #openReadOnly} does.
   */
  public static SqliteDatabase openImmutable(LiveDatabaseFiles files) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    return open("jdbc:sqlite:" + uriOf(files.real()) + "?mode=ro&immutable=1", config, files);
  }

  /** Opens a database file that sqlbak itself created (a temporary copy) for reading and writing. */
  public static SqliteDatabase openOwnCopy(Path file) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(0);
    // A WAL source's copy says WAL in its header. In exclusive locking mode SQLite keeps the WAL
    // index in memory and never creates a -shm file, which on a nearly full disk failed the check
    // with an opaque SQLITE_IOERR_SHMSIZE. Nobody else ever opens this file.
    config.setLockingMode(SQLiteConfig.LockingMode.EXCLUSIVE);
    // Switching the copy to a rollback journal writes page 1 and would fsync the whole file: with
    // the copy unflushed (DirectIoCopy), that is the writeback of all of it. The file is fsynced
    // before it is published, and a crash before that leaves only a temporary file to sweep.
    config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
    return open("jdbc:sqlite:" + uriOf(file) + "?mode=rw", config, file.toString());
  }

  /** Creates and opens the (not yet existing) temporary file of a logical copy. */
  public static SqliteDatabase openNewCopy(Path file) throws SqliteFailure {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(0);
    // The commit would fsync the whole copy, which is either flushed while written or kept out of
    // the disk's way until its O_DIRECT twin is written (DirectIoCopy); it is fsynced before it is
    // published, and a crash before that leaves only a temporary file.
    config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
    return open("jdbc:sqlite:" + uriOf(file) + "?mode=rwc", config, file.toString());
  }

  /**
   * Opens an existing database for reading and writing without ever creating it: a restore
   * target, which other processes may have open. Owns {@code files} as {@link #openReadOnly} does.
   */
  public static SqliteDatabase openExisting(LiveDatabaseFiles files, Duration busyTimeout) throws SqliteFailure {
    return open("jdbc:sqlite:" + uriOf(files.real()) + "?mode=rw", new SQLiteConfig(), files)
        .waitingPatiently(busyTimeout);
  }

  /** Replaces SQLite's busy timeout with a {@link PatientBusyHandler} of the same length. */
  private SqliteDatabase waitingPatiently(Duration busyTimeout) throws SqliteFailure {
    busyHandler = new PatientBusyHandler(busyTimeout);
    try {
      BusyHandler.setHandler(connection, busyHandler);
    } catch (SQLException e) {
      close();
      throw SqliteFailure.of(e);
    }
    return this;
  }

  /** How often, and how long in total, this connection has waited for another process's lock. */
  public LockWaits lockWaits() {
    return busyHandler == null ? new LockWaits(0, Duration.ZERO) : busyHandler.waits();
  }

  /** Lock waits of one connection: busy-handler retries and the time spent sleeping in them. */
  public record LockWaits(long retries, Duration waited) {}

  /**
   * Opens a new, private in-memory database that the backup API can write into by name: a named
   * shared-cache memory database lives as long as one connection to it, this one.
   */
  public static SqliteDatabase openMemory() throws SqliteFailure {
    String name = "file:sqlbak-" + UUID.randomUUID() + "?mode=memory&cache=shared";
    return open("jdbc:sqlite:" + name, new SQLiteConfig(), name);
  }

  /** Opens a connection to {@code url}; {@code label} names it to the backup API and in log messages. */
  static SqliteDatabase open(String url, SQLiteConfig config, String label) throws SqliteFailure {
    config.setOpenMode(org.sqlite.SQLiteOpenMode.OPEN_URI);
    try {
      return new SqliteDatabase(config.createConnection(url), label);
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** Opens a connection to a live database that owns its {@code files}, or lets go of them if it cannot. */
  private static SqliteDatabase open(String url, SQLiteConfig config, LiveDatabaseFiles files)
      throws SqliteFailure {
    try {
      SqliteDatabase db = open(url, config, files.real().toString());
      db.owned.add(files);
      return db;
    } catch (SqliteFailure | RuntimeException e) {
      files.close();
      throw e;
    }
  }

  /** This database's connection, for the classes of this package that do one job on it. */
  Connection connection() {
    return connection;
  }

  /** The name under which the backup API reaches this database (memory databases only). */
  public String backupTargetName() {
    return label;
  }

  /** SQLite's version as bundled in the driver. */
  public static String sqliteVersion() {
    try (SqliteDatabase db = openMemory()) {
      return ((SQLiteConnection) db.connection).getDatabase().libversion();
    } catch (SqliteFailure | SQLException e) {
      return "unknown";
    }
  }

  /**
   * Attaches the database of {@code files} read-only as {@code schema}; never creates the file.
   * The connection owns {@code files} from now on, as {@link #openReadOnly} does.
   */
  public void attachReadOnly(String schema, LiveDatabaseFiles files) throws SqliteFailure {
    owned.add(files);
    attach(schema, files.real());
  }

  /** Attaches the real file {@code file} read-only as {@code schema}; never creates it. */
  void attach(String schema, Path file) throws SqliteFailure {
    try (PreparedStatement attach = connection.prepareStatement("ATTACH DATABASE ? AS " + quote(schema))) {
      attach.setString(1, uriOf(file) + "?mode=ro");
      attach.execute();
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** Schema names in this connection (main, temp and attached). */
  public List<String> schemaNames() throws SqliteFailure {
    return settings.schemaNames();
  }

  /**
   * Starts one read transaction covering {@code schemas}. While it is open the backup copies this
   * one snapshot: a stepped copy never restarts when another process commits, and WAL-mode writers
   * are never blocked. Reading each schema's sqlite_master is what actually takes the snapshot.
   */
  public void beginSnapshot(Collection<String> schemas) throws SqliteFailure {
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
      throw SqliteFailure.of(e);
    }
  }

  /** Ends the read transaction, releasing the source's lock as early as possible. */
  public void endSnapshot() throws SqliteFailure {
    try {
      connection.rollback();
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** How many pages {@code schema} has. */
  public long pageCount(String schema) throws SqliteFailure {
    return settings.pragmaLong(schema, "page_count");
  }

  /** The page size of {@code schema} in bytes. */
  public long pageSize(String schema) throws SqliteFailure {
    return settings.pragmaLong(schema, "page_size");
  }

  /** The journal mode of {@code schema}, such as wal or delete. */
  public String journalMode(String schema) throws SqliteFailure {
    return settings.journalMode(schema);
  }

  /** Copies {@code schema} into a new private {@code file}: see {@link OnlineBackup#copyToPrivateFile}. */
  public int copyToPrivateFile(String schema, Path file, int pagesPerStep, Duration busyTimeout, PageObserver observer)
      throws SqliteFailure {
    return new OnlineBackup(connection).copyToPrivateFile(schema, file, pagesPerStep, busyTimeout, observer);
  }

  /** Copies {@code schema} into the database named {@code target}: see {@link OnlineBackup#copyTo}. */
  public int copyTo(String schema, String target, int pagesPerStep, Duration busyTimeout, PageObserver observer)
      throws SqliteFailure {
    return new OnlineBackup(connection).copyTo(schema, target, pagesPerStep, busyTimeout, observer);
  }

  /** Replaces main's content with {@code backup}'s, committed or rolled back: see {@link OnlineRestore#copy}. */
  public void restoreFrom(Path backup, int pagesPerStep, PageObserver observer, BooleanSupplier stop)
      throws SqliteFailure {
    new OnlineRestore(this, busyHandler).copy(backup, pagesPerStep, observer, stop);
  }

  /**
   * Writes a compacted copy of {@code schema} to {@code target} (a file that does not exist yet, or
   * a memory database's URI) with VACUUM INTO, which reads one snapshot of its own.
   */
  public void vacuumInto(String schema, String target) throws SqliteFailure {
    // VACUUM INTO syncs its output as this connection would sync the schema; the output is a
    // temporary file, fsynced before it is published. Nothing is written to the source.
    execute("PRAGMA " + quote(schema) + ".synchronous = OFF");
    try (PreparedStatement vacuum = connection.prepareStatement("VACUUM " + quote(schema) + " INTO ?")) {
      vacuum.setString(1, target);
      vacuum.execute();
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** The tables, views and virtual tables of {@code schema} (not the temp schema's). */
  public List<ListedTable> tableList(String schema) throws SqliteFailure {
    return settings.tableList(schema);
  }

  /** Fills this new, empty database with {@code tables} of another: see {@link TableCopy#copyFrom}. */
  public List<TableRows> copyTablesFrom(SqliteDatabase source, String schema, LiveDatabaseFiles sourceFile,
      List<String> tables, Duration busyTimeout) throws SqliteFailure {
    return new TableCopy(this, connection).copyFrom(source, schema, sourceFile, tables, busyTimeout);
  }

  /** Whether two identifiers name the same object: SQLite folds ASCII letters only. */
  public static boolean sameName(String a, String b) {
    return SqlText.foldedName(a).equals(SqlText.foldedName(b));
  }

  /** Switches this (own) copy to rollback-journal mode so that it is one self-contained file. */
  public void useRollbackJournal() throws SqliteFailure {
    settings.useRollbackJournal();
  }

  /** Runs the check and returns its problems; an empty list means the check said "ok". */
  public List<String> check(CheckLevel level) throws SqliteFailure {
    return new ContentInspector(connection).check(level);
  }

  /** Every table of the main schema with its row count, in name order. */
  public List<TableRows> tableRowCounts() throws SqliteFailure {
    return new ContentInspector(connection).tableRowCounts();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      org.slf4j.LoggerFactory.getLogger(SqliteDatabase.class).debug("closing {}", label, e);
    }
    // Only now: closing a descriptor of a file drops every lock this process holds on it.
    owned.forEach(LiveDatabaseFiles::close);
    owned.clear();
  }

  /** Makes every later statement on this connection unable to write, whatever SQL it runs. */
  public void forbidWrites() throws SqliteFailure {
    execute("PRAGMA query_only = ON");
  }

  /** Reads the main schema once, which rolls back a hot journal; see {@link SchemaSettings#readSchema}. */
  public void readSchema() throws SqliteFailure {
    settings.readSchema();
  }

  /** Sets the journal mode of the main schema, e.g. back to what a restore target had. */
  public void setJournalMode(String mode) throws SqliteFailure {
    settings.setJournalMode(mode);
  }

  /** A PRAGMA's single text value, such as encoding or journal_mode. */
  public String pragmaText(String schema, String pragma) throws SqliteFailure {
    return settings.pragmaText(schema, pragma);
  }

  /** A PRAGMA's single numeric value, such as page_count or user_version. */
  public long pragmaNumber(String schema, String pragma) throws SqliteFailure {
    return settings.pragmaLong(schema, pragma);
  }

  /** Every schema object of main as one comparable line: see {@link ContentInspector#schemaDefinitions}. */
  public List<String> schemaDefinitions() throws SqliteFailure {
    return new ContentInspector(connection).schemaDefinitions();
  }

  /** Row count and SHA-256 of a table's content; see {@link ContentInspector#digestTable}. */
  public TableDigest digestTable(String table) throws SqliteFailure {
    return new ContentInspector(connection).digestTable(table);
  }

  /** Names of the ordinary (not virtual) tables of main, sorted. */
  public List<String> ordinaryTables() throws SqliteFailure {
    return new ContentInspector(connection).ordinaryTables();
  }

  /** Null if an assertion query holds, else what was wrong: see {@link ContentInspector#failedAssertion}. */
  public String failedAssertion(String sql) {
    return new ContentInspector(connection).failedAssertion(sql);
  }

  /** Runs one statement that returns no rows. */
  void execute(String sql) throws SqliteFailure {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** A duration as the int milliseconds SQLite takes, never negative. */
  static int clampMillis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(0, d.toMillis()));
  }
}
