package dev.sqlbak.sqlite;

import java.sql.SQLException;
import org.sqlite.SQLiteException;

/** A failure reported by SQLite, classified so that callers never look at driver types. */
public final class SqliteFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** SQLite's primary result codes that sqlbak reacts to differently. */
  public enum Reason {
    BUSY,
    NOT_A_DATABASE,
    CANT_OPEN,
    DISK_FULL,
    CORRUPT,
    READ_ONLY,
    /** A read-only connection met a hot journal: a writer crashed mid-transaction and it needs rolling back. */
    HOT_JOURNAL,
    IO_ERROR,
    INTERRUPTED,
    OTHER
  }

  /** The extended result code SQLITE_READONLY | (3 << 8). */
  private static final int SQLITE_READONLY_ROLLBACK = 776;
  /** The extended result code SQLITE_IOERR | (19 << 8). */
  private static final int SQLITE_IOERR_SHMSIZE = 4874;

  private final Reason reason;

  public SqliteFailure(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** Translates a driver error, classified by SQLite's result code where the driver kept it. */
  static SqliteFailure of(SQLException e) {
    int code = e instanceof SQLiteException ? ((SQLiteException) e).getResultCode().code : e.getErrorCode();
    return new SqliteFailure(reasonOf(code), e.getMessage(), e);
  }

  /** Classifies one of SQLite's result codes (primary or extended). */
  static Reason reasonOf(int resultCode) {
    if (resultCode == SQLITE_READONLY_ROLLBACK) {
      return Reason.HOT_JOURNAL;
    }
    if (resultCode == SQLITE_IOERR_SHMSIZE) {
      return Reason.DISK_FULL; // the -shm file could not grow: a full disk, for a WAL-mode database
    }
    switch (resultCode & 0xff) {
      case 5: // SQLITE_BUSY
      case 6: // SQLITE_LOCKED
        return Reason.BUSY;
      case 26: // SQLITE_NOTADB
        return Reason.NOT_A_DATABASE;
      case 14: // SQLITE_CANTOPEN
      case 3: // SQLITE_PERM
      case 23: // SQLITE_AUTH
        return Reason.CANT_OPEN;
      case 13: // SQLITE_FULL
        return Reason.DISK_FULL;
      case 11: // SQLITE_CORRUPT
        return Reason.CORRUPT;
      case 8: // SQLITE_READONLY
        return Reason.READ_ONLY;
      case 10: // SQLITE_IOERR
        return Reason.IO_ERROR;
      case 9: // SQLITE_INTERRUPT
        return Reason.INTERRUPTED;
      default:
        return Reason.OTHER;
    }
  }
}
