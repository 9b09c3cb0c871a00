package dev.sqlbak.sqlite;

import static dev.sqlbak.sqlite.SqlText.uriOf;

import dev.sqlbak.sqlite.SqliteDatabase.PageObserver;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.function.BooleanSupplier;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.DB;

/**
 * Replaces a live database's content with a backup file's through SQLite's online backup API, with
 * the live database as the destination on sqlbak's own connection. Two things follow from that
 * connection being sqlbak's: its lock waits go through the {@link PatientBusyHandler}, which keeps
 * the PENDING lock it has taken while other processes' readers drain (a copy whose destination
 * connection has no busy handler gives that lock up and sleeps, and continuous readers can starve
 * it); and a copy can be stopped between two steps, after which the backup API rolls the target's
 * transaction back.
 *
 * <p>The driver runs the whole step loop in native code and offers no way out of it but an error;
 * so a stop takes an exclusive lock on the backup file through a second connection of this
 * process, which makes the next step's read of the backup busy, and the loop gives up after
 * {@link #SOURCE_RETRIES} retries and rolls back.
 */
final class OnlineRestore {
  private static final int SOURCE_RETRY_MILLIS = 10;
  /** The backup is a file nobody else writes: a busy backup means sqlbak's own stop. */
  private static final int SOURCE_RETRIES = 3;

  private final SqliteDatabase target;
  private final PatientBusyHandler busyHandler;

  OnlineRestore(SqliteDatabase target, PatientBusyHandler busyHandler) {
    this.target = target;
    this.busyHandler = busyHandler;
  }

  /**
   * Copies {@code backup} (a rollback-journal database file this process may open for writing)
   * over the target's main schema, {@code pagesPerStep} pages per step, until it has committed;
   * returns normally only then. Otherwise the copy's transaction was rolled back (or, where SQLite
   * could not, left to its journal) and this throws: INTERRUPTED when {@code stop} asked for it,
   * BUSY when another process held a lock past the busy timeout, else what SQLite reported.
   */
  void copy(Path backup, int pagesPerStep, PageObserver observer, BooleanSupplier stop) throws SqliteFailure {
    boolean[] committed = {false};
    SqliteDatabase[] blocker = {null};
    DB.ProgressObserver progress = (remaining, total) -> {
      // Only a step that returned SQLITE_DONE, which is the commit, leaves nothing remaining.
      committed[0] |= remaining == 0;
      observer.pages((long) total - remaining, total);
      if (!committed[0] && blocker[0] == null && stop.getAsBoolean()) {
        blocker[0] = blockReads(backup);
      }
    };
    busyHandler.giveUpWhen(stop);
    DB db = ((SQLiteConnection) target.connection()).getDatabase();
    try {
      // The driver's return value is the backup file's connection's error code, not the target's.
      db.restore("main", uriOf(backup) + "?mode=ro", progress, SOURCE_RETRY_MILLIS, SOURCE_RETRIES, pagesPerStep);
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    } finally {
      busyHandler.giveUpWhen(() -> false);
      if (blocker[0] != null) {
        blocker[0].close();
      }
    }
    if (committed[0]) {
      return;
    }
    if (stop.getAsBoolean()) {
      throw new SqliteFailure(SqliteFailure.Reason.INTERRUPTED, "the restore was stopped before it committed", null);
    }
    if (busyHandler.timedOut()) {
      throw new SqliteFailure(SqliteFailure.Reason.BUSY, "database is locked", null);
    }
    String message = targetError(db);
    throw new SqliteFailure(reasonOf(message), message, null);
  }

  /**
   * Takes an exclusive lock on {@code backup} through a second connection, so that the copy's next
   * read of it is busy; null if the lock cannot be had, and the copy then runs to its end.
   */
  private static SqliteDatabase blockReads(Path backup) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(0);
    try {
      SqliteDatabase db = SqliteDatabase.open("jdbc:sqlite:" + uriOf(backup) + "?mode=rw", config, backup.toString());
      try {
        db.execute("BEGIN EXCLUSIVE");
        return db;
      } catch (SqliteFailure f) {
        db.close();
        throw f;
      }
    } catch (SqliteFailure f) {
      org.slf4j.LoggerFactory.getLogger(OnlineRestore.class).debug("cannot stop the restore at a step", f);
      return null;
    }
  }

  /**
   * The target connection's last error, which {@code sqlite3_backup_finish} sets to the copy's
   * result. The driver keeps the accessor to itself; the message is one of SQLite's fixed texts.
   */
  private static String targetError(DB db) {
    try {
      Method errmsg = DB.class.getDeclaredMethod("errmsg");
      errmsg.setAccessible(true);
      Object message = errmsg.invoke(db);
      return message == null ? "the copy did not commit" : message.toString();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "the copy did not commit";
    }
  }

  /** SQLite's fixed texts for the result codes a restore meets (sqlite3ErrStr). */
  private static SqliteFailure.Reason reasonOf(String message) {
    String m = message.toLowerCase(java.util.Locale.ROOT);
    if (m.contains("disk is full")) {
      return SqliteFailure.Reason.DISK_FULL;
    }
    if (m.contains("locked")) {
      return SqliteFailure.Reason.BUSY;
    }
    if (m.contains("i/o error")) {
      return SqliteFailure.Reason.IO_ERROR;
    }
    if (m.contains("readonly") || m.contains("read-only")) {
      return SqliteFailure.Reason.READ_ONLY;
    }
    if (m.contains("malformed")) {
      return SqliteFailure.Reason.CORRUPT;
    }
    return SqliteFailure.Reason.OTHER;
  }
}
