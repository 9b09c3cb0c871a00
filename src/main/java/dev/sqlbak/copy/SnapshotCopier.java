package dev.sqlbak.copy;

import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.engine.SourceContention;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.source.SourceConnection;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.tuning.BackgroundPriority;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every schema of a backup from one read transaction on the source, each into its staging
 * place, and releases the source as soon as the copies are complete, before they are checked, so
 * that a rollback-journal source's writers wait for the copy only.
 */
public final class SnapshotCopier {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCopier.class);

  private SnapshotCopier() {}

  /** Copies {@code stages} from {@code source} as {@code order} says. */
  public static Snapshot copy(SourceConnection source, CopyOrder order, List<StagedCopy> stages,
      ProgressListener listener) {
    SqliteDatabase db = source.db();
    Instant snapshotTime = Instant.now();
    long snapshotStart = System.nanoTime();
    List<String> tables;
    try {
      if (order.copiesPages()) {
        db.beginSnapshot(stages.stream().map(StagedCopy::schema).toList());
        snapshotStart = System.nanoTime();
        snapshotTime = Instant.now();
      } else {
        // VACUUM INTO refuses to run inside a transaction and takes a snapshot of its own. A
        // table copy reads its snapshot on the copy's own connection; a read transaction held
        // here as well would, in rollback-journal mode, let a writer's PENDING lock shut that
        // connection out until --busy-timeout.
        db.schemaNames();
      }
      // Checked before any temporary file exists: an unknown table leaves nothing behind.
      tables = TableChoice.resolve(db, stages.get(0), order.tables());
      if (order.tuning().lowersPriority() && (source.readWithoutLocks() || allInWalMode(db, stages))) {
        // A WAL-mode snapshot (or a read without locks) makes no writer wait, ever.
        BackgroundPriority.lower();
      }
    } catch (SqliteFailure f) {
      throw Failures.source(f, stages.get(0).sourceFile(), order.busyTimeout());
    }
    for (StagedCopy stage : stages) {
      stage(db, stage, order);
      CopyRule.choose(db, stage, order, tables).copy(db, stage, order, listener);
    }
    if (order.copiesPages()) {
      endSnapshot(db, stages.get(0));
    }
    if (order.tuning().lowersPriority()) {
      // Nothing from here on (check, hashing, fsync, publishing) holds up the source's users.
      BackgroundPriority.lower();
    }
    SourceContention contention = contentionOf(db, stages, System.nanoTime() - snapshotStart);
    LOG.debug("source {}: snapshot held {} ms, {} busy retries over {} ms, {} restarts", stages.get(0).sourceFile(),
        contention.snapshotHeld().toMillis(), contention.busyRetries(),
        contention.busyWait().toMillis(), contention.restarts());
    source.requireUnchanged();
    return new Snapshot(snapshotTime, contention);
  }

  /** Reads the schema's size under the snapshot and makes its staging place: a temporary file or memory. */
  private static void stage(SqliteDatabase db, StagedCopy stage, CopyOrder order) {
    try {
      stage.pageSize = db.pageSize(stage.schema());
      stage.pageCount = db.pageCount(stage.schema());
    } catch (SqliteFailure f) {
      throw Failures.source(f, stage.sourceFile(), order.busyTimeout());
    }
    if (order.staging() == CopyOrder.Staging.MEMORY) {
      try {
        stage.memory = SqliteDatabase.openMemory();
      } catch (SqliteFailure f) {
        throw SqlbakException.failed("cannot open an in-memory database", f.getMessage(), null, f);
      }
      return;
    }
    try {
      stage.file = order.store().stage(stage.files().dataMode());
    } catch (IOException e) {
      throw Failures.write("cannot write to destination folder", order.folder(), 0, Failures.reason(e), e);
    }
    LOG.debug("copying schema {} of {}: {} pages of {} bytes", stage.schema(), stage.sourceFile(),
        stage.pageCount, stage.pageSize);
  }

  private static boolean allInWalMode(SqliteDatabase db, List<StagedCopy> stages) throws SqliteFailure {
    for (StagedCopy stage : stages) {
      if (!"wal".equalsIgnoreCase(db.journalMode(stage.schema()))) {
        return false;
      }
    }
    return true;
  }

  private static void endSnapshot(SqliteDatabase db, StagedCopy first) {
    try {
      db.endSnapshot();
    } catch (SqliteFailure f) {
      LOG.debug("ending the read transaction on {}", first.sourceFile(), f);
    }
  }

  private static SourceContention contentionOf(SqliteDatabase db, List<StagedCopy> stages, long heldNanos) {
    SqliteDatabase.LockWaits waits = db.lockWaits();
    int restarts = stages.stream().mapToInt(StagedCopy::restarts).sum();
    return new SourceContention(restarts, waits.retries(), waits.waited(), Duration.ofNanos(heldNanos));
  }
}
