package dev.sqlbak.copy;

import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.sqlite.SqliteFailure;

/** Tells a failure to write the copy (a full disk, a read-only folder) from a failure to read the source. */
final class CopyFailure {
  private CopyFailure() {}

  static SqlbakException of(SqliteFailure f, StagedCopy stage, CopyOrder order) {
    switch (f.reason()) {
      case DISK_FULL:
      case IO_ERROR:
      case READ_ONLY:
      case CANT_OPEN:
        if (order.staging() == CopyOrder.Staging.MEMORY) {
          return SqlbakException.failed(f.reason() == SqliteFailure.Reason.DISK_FULL
              ? "out of memory for the copy" : "cannot copy into memory", stage.sourceFile(), f.getMessage(), f);
        }
        return Failures.write("cannot write backup", order.folder(), stage.pageCount * stage.pageSize,
            f.getMessage(), f);
      default:
        return Failures.source(f, stage.sourceFile(), order.busyTimeout());
    }
  }

  /** Where SQLite writes the copy: the staged file, or the in-memory database. */
  static String sinkOf(StagedCopy stage) {
    return stage.inMemory() ? stage.memory.backupTargetName() : stage.file.file().toString();
  }
}
