package dev.sqlbak.check;

import dev.sqlbak.copy.StagedCopy;
import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.payload.Payload;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a staged copy self-contained and checks it before anything is published: a copy that
 * fails its check, or holds fewer pages than the snapshot, stops the run.
 */
public final class CopyCheck {
  private static final Logger LOG = LoggerFactory.getLogger(CopyCheck.class);

  private CopyCheck() {}

  /** Checks a copy held in memory, and counts its tables for the summary. */
  public static void inMemory(StagedCopy stage, CheckLevel check) {
    SqliteDatabase memory = stage.memory();
    List<String> problems;
    try {
      problems = memory.check(check);
      stage.countedTables(memory.tableRowCounts());
      stage.checkedPages(memory.pageCount("main"));
    } catch (SqliteFailure f) {
      throw SqlbakException.failed("cannot check the copy", stage.sourceFile(), f.getMessage(), f);
    }
    requirePassed(stage, check, problems);
  }

  /** Checks a copy on disk that will be sent on as it is (a stream sends it after the check). */
  public static void onDisk(StagedCopy stage, CheckLevel check) {
    onDisk(stage, check, Optional.empty());
  }

  /**
   * Checks a copy on disk while {@code preparation} makes the payload from it on another core: both
   * only read the finished copy, and on two cores this hides most of the hashing. Returns the payload.
   */
  public static Payload whilePreparing(StagedCopy stage, CheckLevel check,
      Function<FileChannel, Payload> preparation) {
    return onDisk(stage, check, Optional.of(preparation)).orElseThrow();
  }

  private static Optional<Payload> onDisk(StagedCopy stage, CheckLevel check,
      Optional<Function<FileChannel, Payload>> preparation) {
    // The payload is read through one descriptor opened before the check's connection and closed
    // after it: closing any other descriptor of the copy meanwhile would drop that connection's
    // locks (see LiveDatabaseFiles).
    try (FileChannel copyBytes = FileChannel.open(stage.staging().file(), StandardOpenOption.READ)) {
      return checkAlongside(stage, check, copyBytes, preparation);
    } catch (IOException e) {
      throw Failures.write("cannot check the copy", stage.staging().folder(), 0, Failures.reason(e), e);
    }
  }

  private static Optional<Payload> checkAlongside(StagedCopy stage, CheckLevel check, FileChannel copyBytes,
      Optional<Function<FileChannel, Payload>> preparation) {
    Optional<CompletableFuture<Payload>> payload = Optional.empty();
    List<String> problems;
    Path file = stage.staging().file();
    long copiedPages;
    try (SqliteDatabase copy = SqliteDatabase.openOwnCopy(file)) {
      // A WAL source's copy says "WAL" in its header; the published backup must be one file. A
      // byte-for-byte copy is of a rollback-journal file already, and was hashed as written.
      if (!stage.copiedAsImage()) {
        copy.useRollbackJournal();
      }
      // Started once the copy's header is final: the payload is made of the bytes as published.
      payload = preparation.map(p -> CompletableFuture.supplyAsync(() -> p.apply(copyBytes)));
      long t0 = System.nanoTime();
      problems = copy.check(check);
      LOG.debug("checked the copy in {} ms: {}", (System.nanoTime() - t0) / 1_000_000,
          problems.isEmpty() ? "ok" : problems.get(0));
      copiedPages = copy.pageCount("main");
      stage.checkedPages(copiedPages);
    } catch (SqliteFailure f) {
      payload.ifPresent(CopyCheck::awaitQuietly);
      throw failedCheck(stage, check, f);
    }
    if (!problems.isEmpty() || copiedPages != stage.pageCount()) {
      payload.ifPresent(CopyCheck::awaitQuietly);
    }
    requirePassed(stage, check, problems);
    if (copiedPages != stage.pageCount()) {
      throw SqlbakException.failed("copy is incomplete", stage.sourceFile(),
          copiedPages + " of " + stage.pageCount() + " pages; nothing was published");
    }
    return payload.map(CopyCheck::await);
  }

  private static SqlbakException failedCheck(StagedCopy stage, CheckLevel check, SqliteFailure f) {
    switch (f.reason()) {
      case DISK_FULL:
      case IO_ERROR:
      case CANT_OPEN:
      case READ_ONLY:
        // Switching a WAL copy to rollback mode creates a -wal and a -journal file.
        return Failures.write("cannot check the copy", stage.staging().folder(), 0, f.getMessage(), f);
      case CORRUPT:
      case NOT_A_DATABASE:
        requirePassed(stage, check == CheckLevel.NONE ? CheckLevel.QUICK : check, List.of(f.getMessage()));
        throw new IllegalStateException("unreachable: a problem always fails the check");
      default:
        return SqlbakException.failed("cannot check the copy", stage.staging().file(), f.getMessage(), f);
    }
  }

  private static Payload await(CompletableFuture<Payload> payload) {
    try {
      return payload.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof SqlbakException) {
        throw (SqlbakException) e.getCause();
      }
      throw e;
    }
  }

  /** Lets a background payload finish before the temporary files it writes are removed. */
  private static void awaitQuietly(CompletableFuture<Payload> payload) {
    try {
      payload.join();
    } catch (RuntimeException ignored) {
      // the failure that made us wait is the one to report
    }
  }

  private static void requirePassed(StagedCopy stage, CheckLevel check, List<String> problems) {
    if (!problems.isEmpty()) {
      throw SqlbakException.failed(check.pragma() + " of the copy failed",
          stage.sourceFile() + ": " + problems.get(0)
              + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""),
          "the source may be corrupt; nothing was published; check it with: sqlite3 "
              + stage.sourceFile() + " 'PRAGMA integrity_check'");
    }
  }
}
