package dev.sqlbak.copy;

import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the chosen tables into the stage's copy, all read in one snapshot of the source. */
final class TableCopy implements CopyMethod {
  private static final Logger LOG = LoggerFactory.getLogger(TableCopy.class);
  private final List<String> tables;

  /** Copies {@code tables}, named as created (see {@link TableChoice}). */
  TableCopy(List<String> tables) {
    this.tables = List.copyOf(tables);
  }

  @Override
  public void copy(SqliteDatabase db, StagedCopy stage, CopyOrder order, ProgressListener listener) {
    Flushing.prepareDirectCopy(stage, order);
    long t0 = System.nanoTime();
    SqliteDatabase copy = stage.memory;
    long pages;
    try {
      if (copy == null) {
        copy = SqliteDatabase.openNewCopy(stage.file.file());
      }
      stage.tables = copy.copyTablesFrom(db, stage.schema(), stage.files(), tables, order.busyTimeout());
      pages = copy.pageCount("main");
    } catch (SqliteFailure f) {
      throw CopyFailure.of(f, stage, order);
    } finally {
      if (copy != null && copy != stage.memory) {
        copy.close();
      }
    }
    stage.rewritten = true;
    LOG.debug("copied tables {} of schema {} in {} ms", tables, stage.schema(), (System.nanoTime() - t0) / 1_000_000);
    listener.copyFinished(stage.schema(), pages);
  }
}
