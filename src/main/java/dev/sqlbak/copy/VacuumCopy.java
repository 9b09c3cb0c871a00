package dev.sqlbak.copy;

import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Copies a schema compacted, without free pages, with {@code VACUUM INTO}. */
final class VacuumCopy implements CopyMethod {
  private static final Logger LOG = LoggerFactory.getLogger(VacuumCopy.class);

  @Override
  public void copy(SqliteDatabase db, StagedCopy stage, CopyOrder order, ProgressListener listener) {
    Flushing.prepareDirectCopy(stage, order);
    long t0 = System.nanoTime();
    try {
      db.vacuumInto(stage.schema(), CopyFailure.sinkOf(stage));
    } catch (SqliteFailure f) {
      throw CopyFailure.of(f, stage, order);
    }
    stage.rewritten = true;
    LOG.debug("compacted schema {} in {} ms", stage.schema(), (System.nanoTime() - t0) / 1_000_000);
    listener.copyFinished(stage.schema(), stage.pageCount);
  }
}
