package dev.sqlbak.sqlite;

import static dev.sqlbak.sqlite.SqlText.uriOf;
import static dev.sqlbak.sqlite.SqliteDatabase.clampMillis;

import dev.sqlbak.sqlite.SqliteDatabase.PageObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.DB;

/**
 * Copies a schema of a {@link SqliteDatabase}'s connection page by page with SQLite's online
 * backup API, counting the restarts that another process's commits cause.
 */
final class OnlineBackup {
  private final Connection connection;

  OnlineBackup(Connection connection) {
    this.connection = connection;
  }

  /**
   * Copies {@code schema} into {@code file}, a new file that nobody else sees until sqlbak has
   * checked, fsynced and renamed it. The backup API opens the destination itself, so the copy goes
   * through a shared-cache URI: the connection opened here shares its pager with the one the
   * driver opens, and turns off the pager's rollback journal and per-commit fsync. A crash
   * mid-copy then loses only a temporary file the next run sweeps, and the one fsync that matters
   * is sqlbak's own before the rename. Returns how often the copy restarted.
   */
  int copyToPrivateFile(String schema, Path file, int pagesPerStep, Duration busyTimeout, PageObserver observer)
      throws SqliteFailure {
    String uri = uriOf(file) + "?mode=rwc&cache=shared";
    try (SqliteDatabase sink = SqliteDatabase.open("jdbc:sqlite:" + uri, new SQLiteConfig(), file.toString())) {
      try (Statement s = sink.connection().createStatement()) {
        s.executeQuery("PRAGMA journal_mode=OFF").close();
        s.execute("PRAGMA synchronous=OFF");
      } catch (SQLException e) {
        throw SqliteFailure.of(e);
      }
      return copyTo(schema, uri, pagesPerStep, busyTimeout, observer);
    }
  }

  /**
   * Copies {@code schema} into the database named {@code target} with SQLite's online backup API,
   * {@code pagesPerStep} pages per step, and returns how often the copy restarted (seen as the
   * copied page count going down). The driver reports failure only through its return code, which
   * is checked here.
   */
  int copyTo(String schema, String target, int pagesPerStep, Duration busyTimeout, PageObserver observer)
      throws SqliteFailure {
    int sleepMillis = 50;
    int retries = (int) Math.max(1, clampMillis(busyTimeout) / sleepMillis);
    long[] last = {0};
    int[] restarts = {0};
    DB.ProgressObserver progress = (remaining, total) -> {
      long copied = (long) total - remaining;
      if (copied < last[0]) {
        restarts[0]++;
      }
      last[0] = copied;
      observer.pages(copied, total);
    };
    int rc;
    try {
      rc = ((SQLiteConnection) connection).getDatabase()
          .backup(schema, target, progress, sleepMillis, retries, pagesPerStep);
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
    if (rc != 0 && rc != 101) { // SQLITE_OK, SQLITE_DONE
      org.sqlite.SQLiteErrorCode code = org.sqlite.SQLiteErrorCode.getErrorCode(rc);
      throw new SqliteFailure(SqliteFailure.reasonOf(rc), code.name() + ": " + code.message, null);
    }
    return restarts[0];
  }
}
