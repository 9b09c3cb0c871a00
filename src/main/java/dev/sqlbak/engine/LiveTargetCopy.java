package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.source.RealPath;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a checked backup into an existing, live TARGET through SQLite's online backup API, on a
 * connection of sqlbak's own to TARGET: other processes see the old content or the new one, and
 * a copy that does not commit (a stop, a full disk, a lock held too long) is rolled back before
 * the run reports, with a line that says how TARGET was left.
 */
final class LiveTargetCopy {
  private static final Logger LOG = LoggerFactory.getLogger(LiveTargetCopy.class);
  /** The first bytes of a rollback journal that still holds pages to put back. */
  private static final byte[] JOURNAL_MAGIC = {(byte) 0xd9, (byte) 0xd5, 0x05, (byte) 0xf9, 0x20, (byte) 0xa1,
      0x63, (byte) 0xd7};

  private final Path target;
  private final RestoreRequest request;
  private final RestoreWatch watch;
  private final Runnable whenUnchanged;
  private Path backupFile;

  /** {@code whenUnchanged} runs when a copy that did not commit has been rolled back. */
  LiveTargetCopy(Path target, RestoreRequest request, RestoreWatch watch, Runnable whenUnchanged) {
    this.target = target;
    this.request = request;
    this.watch = watch;
    this.whenUnchanged = whenUnchanged;
  }

  /** Copies {@code opened} into TARGET and checks it; returns {page count, page size}. */
  long[] copy(ReadableBackup opened, ProgressListener listener) {
    long[] pages;
    SqliteFailure failed;
    try (SqliteDatabase t = RestoreEngine.openTarget(target, request.busyTimeout())) {
      String journalMode;
      try {
        backupFile = restorableFile(opened);
        pages = pagesOf(backupFile);
        journalMode = journalModeAccepting(t, pages[1]);
        watch.copying();
      } catch (SqlbakException e) {
        whenUnchanged.run();
        throw e;
      }
      failed = writeInto(t, pages, listener);
      if (failed == null) {
        try {
          finish(t, journalMode);
        } catch (RuntimeException e) {
          watch.copyEnded(RestoreWatch.Phase.COMMITTED);
          throw e;
        }
      }
    } catch (SqliteFailure f) {
      whenUnchanged.run();
      throw RestoreEngine.targetFailure(f, target, request);
    }
    // Only now, with sqlbak's connection to TARGET closed (a WAL target is checkpointed then), is
    // the stop told how TARGET was left.
    if (failed == null) {
      watch.copyEnded(RestoreWatch.Phase.COMMITTED);
      return pages;
    }
    throw notCommitted(failed);
  }

  /** After a copy that did not commit: what is left beside TARGET decides the line. */
  private SqlbakException notCommitted(SqliteFailure f) {
    if (hotJournalBeside()) {
      // Once more on a fresh connection, as the application's next open would.
      try (SqliteDatabase again = RestoreEngine.openTarget(target, request.busyTimeout())) {
        settle(again);
      } catch (SqliteFailure e) {
        LOG.debug("reopening {} after a failed restore", target, e);
      }
    }
    RestoreWatch.Phase left = hotJournalBeside() ? RestoreWatch.Phase.JOURNAL_LEFT : RestoreWatch.Phase.ROLLED_BACK;
    if (left == RestoreWatch.Phase.ROLLED_BACK) {
      whenUnchanged.run();
    }
    watch.copyEnded(left);
    if (f.reason() == SqliteFailure.Reason.INTERRUPTED) {
      return watch.stopped();
    }
    if (left == RestoreWatch.Phase.JOURNAL_LEFT) {
      return journalLeft(f);
    }
    SqlbakException e = RestoreEngine.targetFailure(f, target, request);
    if (e.getMessage().contains("not changed")) {
      return e;
    }
    String hint = e.hint() == null ? "" : e.hint() + "; ";
    return new SqlbakException(e.kind(), e.what(), e.detail(), hint + "it was rolled back: not changed", f);
  }

  /** TARGET's journal mode, refusing a WAL-mode TARGET of another page size, which the copy cannot change. */
  private String journalModeAccepting(SqliteDatabase t, long backupPageSize) {
    try {
      String journalMode = t.journalMode("main");
      long targetPageSize = t.pageSize("main");
      if ("wal".equalsIgnoreCase(journalMode) && backupPageSize != targetPageSize) {
        throw SqlbakException.failed("cannot restore into a WAL-mode target with another page size",
            target + " (" + targetPageSize + " bytes, backup " + backupPageSize + ")",
            "switch the target to rollback-journal mode first; it was not changed");
      }
      return journalMode;
    } catch (SqliteFailure f) {
      throw RestoreEngine.targetFailure(f, target, request);
    }
  }

  /**
   * A file of the backup's content the online copy can read and that this process can lock for
   * writing (how a copy is stopped: see {@code OnlineRestore}), with a rollback-journal header.
   */
  private Path restorableFile(ReadableBackup opened) {
    try {
      return opened.databaseToRestore();
    } catch (IOException e) {
      throw SqlbakException.failed("cannot prepare the backup for restoring", ReadableBackup.scratchFolder(),
          Failures.reason(e) + "; the target was not changed", e);
    }
  }

  private static long[] pagesOf(Path backup) {
    try (SqliteDatabase db = ReadableBackup.openDatabase(backup)) {
      return new long[] {db.pageCount("main"), db.pageSize("main")};
    } catch (SqliteFailure f) {
      throw SqlbakException.failed("cannot read backup", backup, f.getMessage() + "; the target was not changed", f);
    }
  }

  /** Copies the backup into TARGET; returns null once committed, else why not (after rolling back). */
  private SqliteFailure writeInto(SqliteDatabase t, long[] pages, ProgressListener listener) {
    long[] highest = {0};
    try {
      t.restoreFrom(backupFile, request.stepFor(t.pageSize("main")), (copied, total) -> {
        if (copied >= highest[0]) {
          highest[0] = copied;
          listener.copied("main", copied, total);
        }
      }, watch::stopRequested);
    } catch (SqliteFailure f) {
      settle(t);
      return f;
    }
    listener.copyFinished("main", pages[0]);
    return null;
  }

  /**
   * After a copy that did not commit: the backup API has rolled its transaction back, unless the
   * pager had failed (a full disk, an I/O error), when the rollback waits for the next read. Read
   * once to have it done now, then look at what is left beside TARGET.
   */
  private void settle(SqliteDatabase t) {
    try {
      t.readSchema();
    } catch (SqliteFailure f) {
      LOG.debug("reading {} after a failed restore", target, f);
    }
  }

  private boolean hotJournalBeside() {
    return hotJournalBeside(target);
  }

  /**
   * Whether {@code target}'s rollback journal, beside its real file, still holds pages to put back
   * (a finished transaction deletes it, truncates it, or zeroes its header).
   */
  static boolean hotJournalBeside(Path target) {
    Path real = RealPath.of(target);
    Path journal = real.resolveSibling(real.getFileName() + "-journal");
    byte[] head = new byte[JOURNAL_MAGIC.length];
    try (InputStream in = Files.newInputStream(journal)) {
      return in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, JOURNAL_MAGIC);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return true; // cannot tell: do not claim TARGET unchanged
    }
  }

  private SqlbakException journalLeft(SqliteFailure f) {
    return SqlbakException.failed("restore failed and could not be rolled back yet", target + ": " + f.getMessage(),
        "its -journal file holds the old content: do not delete it; the next open of the database rolls it back", f);
  }

  /** TARGET keeps its own journal mode, and the committed copy must pass quick_check. */
  private void finish(SqliteDatabase t, String journalMode) {
    try {
      if (!journalMode.equalsIgnoreCase(t.journalMode("main"))) {
        t.setJournalMode(journalMode);
      }
      List<String> problems = t.check(CheckLevel.QUICK);
      if (!problems.isEmpty()) {
        throw SqlbakException.failed("the restored target fails quick_check", target + ": " + problems.get(0),
            "its previous content is in the safety copy, if one was made");
      }
    } catch (SqliteFailure f) {
      throw RestoreEngine.targetFailure(f, target, request);
    }
  }
}
