package dev.sqlbak.copy;

import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.sqlite.SqliteDatabase;

/** One way of copying a schema into its staging place; {@link CopyRule} picks which. */
interface CopyMethod {
  /** Copies {@code stage}'s schema from {@code db}, whose snapshot (if any) is already held. */
  void copy(SqliteDatabase db, StagedCopy stage, CopyOrder order, ProgressListener listener);
}
