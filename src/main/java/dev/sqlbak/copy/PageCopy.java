package dev.sqlbak.copy;

import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.tuning.WriteBehind;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Copies a schema's pages through SQLite's online backup API, into a file or into memory. */
final class PageCopy implements CopyMethod {
  private static final Logger LOG = LoggerFactory.getLogger(PageCopy.class);

  @Override
  public void copy(SqliteDatabase db, StagedCopy stage, CopyOrder order, ProgressListener listener) {
    int step = order.stepForPageSize().applyAsInt(stage.pageSize);
    SqliteDatabase.PageObserver progress = progressOf(stage, listener);
    long t0 = System.nanoTime();
    try {
      if (stage.inMemory()) {
        stage.restarts = db.copyTo(stage.schema(), CopyFailure.sinkOf(stage), step, order.busyTimeout(), progress);
      } else {
        Flushing.prepareDirectCopy(stage, order);
        Path copy = stage.file.file();
        try (WriteBehind flushing = Flushing.whileCopying(stage, order) ? WriteBehind.start(copy) : null) {
          stage.restarts = db.copyToPrivateFile(stage.schema(), copy, step, order.busyTimeout(), progress);
        }
      }
    } catch (SqliteFailure f) {
      throw CopyFailure.of(f, stage, order);
    }
    LOG.debug("copied schema {} in {} ms, {} restarts", stage.schema(),
        (System.nanoTime() - t0) / 1_000_000, stage.restarts);
    listener.copyFinished(stage.schema(), stage.pageCount);
  }

  /** Passes page progress on, never backwards: the backup API starts over when the source changes. */
  static SqliteDatabase.PageObserver progressOf(StagedCopy stage, ProgressListener listener) {
    long[] highest = {0};
    return (copied, total) -> {
      if (copied >= highest[0]) {
        highest[0] = copied;
        listener.copied(stage.schema(), copied, total);
      }
    };
  }
}
