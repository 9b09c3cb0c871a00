package dev.sqlbak.copy;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.tuning.WriteBehind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the source file byte for byte, where the file is the snapshot. Published as it is, the
 * copy is hashed while written and flushed as it goes, in one pass. A WAL-mode file's checked copy
 * is instead published through an O_DIRECT copy made while the check runs, if the machine allows
 * one: that source's writers go on committing during the copy, and the writeback of a copy flushed
 * beside them delays their fsyncs. A rollback-journal file's writers wait for the copy, so its
 * writes are best done while they wait, not after; an unchecked copy would only be written twice.
 * A copy that is compressed or streamed is not flushed either when it fits in memory: it is
 * deleted once read.
 */
final class ImageCopy implements CopyMethod {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCopy.class);
  private final FileImageCopy image;

  private ImageCopy(FileImageCopy image) {
    this.image = image;
  }

  /**
   * A byte-for-byte copy of the stage's schema, if it can be one: a rollback-journal database file
   * at least as long as its pages, or a WAL-mode file whose -wal is missing or empty, looked at
   * after the snapshot began (anything else goes through the backup API, which reads the snapshot
   * through SQLite). With no -wal content the snapshot holds no WAL frames (SQLite never truncates
   * a WAL that a reader still reads frames from), so the database file is the snapshot, and no
   * checkpoint may write to it until the snapshot ends: a reader of the file alone holds WAL
   * read-lock 0, which backfilling needs exclusively, and the connection's SHARED lock on the file
   * keeps a last connection's close from checkpointing (see {@link LiveDatabaseFiles} for why
   * nothing of sqlbak's may drop it). The header read before the connection opened must agree
   * with the journal mode SQLite reports under the snapshot. Every check is on the real path.
   */
  static Optional<CopyMethod> ifSnapshotIsTheFile(SqliteDatabase db, StagedCopy stage) {
    try {
      boolean wal = "wal".equalsIgnoreCase(db.journalMode(stage.schema()));
      LiveDatabaseFiles files = stage.files();
      if (wal ? !files.headerSaysWal() || files.walHasContent() : !files.headerSaysRollbackJournal()) {
        return Optional.empty();
      }
      if (files.size() < stage.pageCount * stage.pageSize) {
        return Optional.empty();
      }
      return Optional.of(new ImageCopy(files.imageCopy()));
    } catch (SqliteFailure | IOException e) {
      LOG.debug("copying {} through the backup API", stage.sourceFile(), e);
      return Optional.empty();
    }
  }

  @Override
  public void copy(SqliteDatabase db, StagedCopy stage, CopyOrder order, ProgressListener listener) {
    long t0 = System.nanoTime();
    if (order.check() != CheckLevel.NONE && image.ofWalModeFile()) {
      Flushing.prepareDirectCopy(stage, order);
    }
    boolean publishedAsIs = order.copyIsPublished() && stage.direct == null;
    Path copy = stage.file.file();
    int step = order.stepForPageSize().applyAsInt(stage.pageSize);
    try {
      try (WriteBehind flushing = Flushing.whileCopying(stage, order) ? WriteBehind.start(copy) : null) {
        stage.sha256 = image.copyTo(copy, stage.pageSize, stage.pageCount, step, publishedAsIs,
            PageCopy.progressOf(stage, listener));
      }
      stage.copiedAsImage = true;
    } catch (FileImageCopy.SourceUnreadable e) {
      throw SqlbakException.failed("cannot read source", stage.sourceFile() + ": " + e.getMessage(),
          "check it with: sqlite3 " + stage.sourceFile() + " 'PRAGMA integrity_check'", e);
    } catch (IOException e) {
      throw Failures.write("cannot write backup", stage.file.folder(), stage.pageCount * stage.pageSize,
          Failures.reason(e), e);
    }
    LOG.debug("copied schema {} byte for byte in {} ms", stage.schema(), (System.nanoTime() - t0) / 1_000_000);
    listener.copyFinished(stage.schema(), stage.pageCount);
  }
}
