package dev.sqlbak.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** SQLite's result codes as the reasons sqlbak reacts to. */
class SqliteFailureTest {
  /**
   * A WAL-mode TARGET on a disk that fills up fails to grow its -shm with SQLITE_IOERR_SHMSIZE;
   * the user must read "disk is full", not "restore failed: disk I/O error" (found by a hostile
   * user's run: a 700 MiB tmpfs filled during a restore).
   */
  @Test
  void aShmThatCannotGrowIsAFullDisk() {
    assertEquals(SqliteFailure.Reason.DISK_FULL, SqliteFailure.reasonOf(4874));
    assertEquals(SqliteFailure.Reason.DISK_FULL, SqliteFailure.reasonOf(13));
    assertEquals(SqliteFailure.Reason.IO_ERROR, SqliteFailure.reasonOf(10));
    assertEquals(SqliteFailure.Reason.IO_ERROR, SqliteFailure.reasonOf(10 | (7 << 8)));
    assertEquals(SqliteFailure.Reason.HOT_JOURNAL, SqliteFailure.reasonOf(776));
    assertEquals(SqliteFailure.Reason.READ_ONLY, SqliteFailure.reasonOf(8));
  }
}
