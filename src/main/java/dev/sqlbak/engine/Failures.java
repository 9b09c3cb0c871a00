package dev.sqlbak.engine;

import dev.sqlbak.payload.Decryption;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.FileSizeLimit;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/** The one place that turns what went wrong (SQLite's failures, the OS's) into the user's one line. */
public final class Failures {
  /** What a file with a hot journal means, and the way out that sqlbak (which only reads) leaves to its owner. */
  public static final String HOT_JOURNAL_HINT = "a writer crashed in mid-transaction; open the database once"
      + " read-write (the application, or sqlite3) so that SQLite rolls it back, then try again";

  private Failures() {}

  /** A failure to read a backup's source. */
  public static SqlbakException source(SqliteFailure f, Path file, Duration busyTimeout) {
    return database(f, file, busyTimeout, "source");
  }

  /**
   * A failure to read {@code file} for a command that has no {@code --busy-timeout} ({@code info},
   * which waits a fixed {@code waited}): a lock held past it is said without naming an option the
   * command does not take; everything else as {@link #database}.
   */
  public static SqlbakException inspected(SqliteFailure f, Path file, Duration waited) {
    if (f.reason() == SqliteFailure.Reason.BUSY) {
      return SqlbakException.failed("database is locked", file, "another process held a lock longer than the "
          + DurationText.format(waited) + " info waits; try again when it is done", f);
    }
    return database(f, file, waited, "database");
  }

  /** Turns a failure to read {@code file} (in the given role) into sqlbak's one-line message. */
  public static SqlbakException database(SqliteFailure f, Path file, Duration busyTimeout, String role) {
    switch (f.reason()) {
      case BUSY:
        return SqlbakException.failed(role + " is locked", file,
            "another process held a lock longer than --busy-timeout "
                + DurationText.format(busyTimeout), f);
      case NOT_A_DATABASE:
        return SqlbakException.failed("not a SQLite database", file, null, f);
      case CORRUPT:
        return SqlbakException.failed(role + " is corrupt", file,
            "check it with: sqlite3 " + file + " 'PRAGMA integrity_check'", f);
      case CANT_OPEN:
        return SqlbakException.failed("cannot open " + role, file, f.getMessage(), f);
      case HOT_JOURNAL:
        // Rolling the journal back writes the database, and sqlbak only ever reads a source.
        return SqlbakException.failed(role + " has a hot journal", file + "-journal", HOT_JOURNAL_HINT, f);
      case READ_ONLY:
        // SQLite must create the -wal/-shm files of a WAL-mode database even to read it.
        return SqlbakException.failed("cannot read " + role, file + ": " + f.getMessage(),
            "a WAL-mode database needs its -shm file: run as a user who may write its folder,"
                + " or while the application has it open", f);
      default:
        return SqlbakException.failed("cannot read " + role, file, f.getMessage(), f);
    }
  }

  /**
   * The one line for a failure to write into {@code folder}, where {@code bytes} (0 if unknown) is
   * the size of the file being written: a full disk or the file size limit said as such, else the
   * OS's own reason, which SQLite's "unable to open" or "disk I/O error" hides, else {@code detail}.
   */
  public static SqlbakException write(String what, Path folder, long bytes, String detail, Throwable cause) {
    if (cause instanceof RemoteFailure remote) {
      return remote(remote);
    }
    IOException io = cause instanceof IOException ? (IOException) cause : null;
    if (io != null && AtomicDestination.isFileTooLarge(io) || bytes > 0 && FileSizeLimit.exceededBy(bytes)) {
      OptionalLong limit = FileSizeLimit.bytes();
      return SqlbakException.failed("backup exceeds the file size limit", folder,
          (limit.isPresent() ? "ulimit -f allows " + limit.getAsLong() + " bytes per file" : "ulimit -f")
              + "; raise it; nothing was written", cause);
    }
    boolean full = io != null && AtomicDestination.isNoSpace(io)
        || cause instanceof SqliteFailure && ((SqliteFailure) cause).reason() == SqliteFailure.Reason.DISK_FULL;
    // Once a stop is asked for, the failure is most likely the stop itself, and the JVM exits as
    // soon as the shutdown hook returns: a probe written now could outlive the process.
    IOException refusal = full || Interruptions.requested() ? null : AtomicDestination.probeWrite(folder);
    if (full || refusal != null && AtomicDestination.isNoSpace(refusal)) {
      if (ReadableBackup.isScratchFolder(folder)) {
        return SqlbakException.failed("scratch folder is full", folder, "a backup to S3, to a stream or encrypted is"
            + " checked there first; set TMPDIR to a folder with room; nothing was written", cause);
      }
      return SqlbakException.failed("destination is full", folder, "free some space; nothing was written", cause);
    }
    return SqlbakException.failed(what, folder, refusal != null ? reason(refusal) : detail, cause);
  }

  /**
   * The line for an encrypted backup that could not be decrypted: no {@code --identity} given or
   * none that opens it (exit 1), or damaged encrypted data (exit 3); {@code after} ends the hint
   * (what was left untouched), or is null.
   */
  public static SqlbakException undecrypted(IOException e, Object backup, String after) {
    String tail = after == null ? "" : "; " + after;
    if (e instanceof Decryption.IdentityMissing) {
      return SqlbakException.failed("backup is encrypted", backup,
          "give --identity FILE, the age identity (secret key) it was encrypted to" + tail, e);
    }
    if (e instanceof Decryption.WrongIdentity wrong) {
      return SqlbakException.failed("cannot decrypt backup", backup + ": " + e.getMessage(), wrong.hint() + tail, e);
    }
    return new SqlbakException(SqlbakException.Kind.BAD_BACKUP, "backup is bad", backup + ": " + e.getMessage(),
        after, e);
  }

  /** Whether {@code e} says an encrypted backup could not be decrypted (see {@link #undecrypted}). */
  public static boolean isUndecrypted(IOException e) {
    return e instanceof Decryption.IdentityMissing || e instanceof Decryption.WrongIdentity
        || e instanceof Decryption.DamagedCiphertext;
  }

  /** A remote store's failure, which already says what failed, where, and what to do. */
  public static SqlbakException remote(RemoteFailure e) {
    return SqlbakException.failed(e.what(), e.where(), e.hint().orElse(null), e);
  }

  /**
   * The one line for {@code e}, met while {@code what} on {@code store}: a remote store's own words
   * when it has them, else {@code what} with the OS's reason.
   */
  public static SqlbakException store(String what, BackupStore store, IOException e) {
    if (e instanceof RemoteFailure remote) {
      return remote(remote);
    }
    return SqlbakException.failed(what, store.describe(), reason(e), e);
  }

  /** A short reason for an I/O failure: the OS's words where Java kept them. */
  public static String reason(IOException e) {
    if (e instanceof FileSystemException) {
      String r = ((FileSystemException) e).getReason();
      if (r != null) {
        return r;
      }
      // Java keeps only the path for these, which the message names already.
      if (e instanceof AccessDeniedException) {
        return "permission denied";
      }
      if (e instanceof NoSuchFileException) {
        return "no such file or directory";
      }
      if (e instanceof NotDirectoryException) {
        return "not a directory";
      }
      if (e instanceof FileAlreadyExistsException) {
        return "already exists";
      }
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
