package dev.sqlbak.engine;

import dev.sqlbak.age.AgeKeys;
import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.payload.Decryption;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.DataMode;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a backup's content into a database: checks the backup first, saves the target's old
 * content, then writes through SQLite's online backup API so that processes holding the target
 * open see the old content or the new one, never a mix. Never prints and never exits.
 */
public final class RestoreEngine {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreEngine.class);
  private static final String HOT_JOURNAL = "TARGET had a hot journal (a writer or a restore was killed"
      + " mid-transaction): it was rolled back before restoring, as SQLite does on the next open: ";

  /** Runs one restore as the request describes; see the contract's "restore" section. */
  public RestoreResult restore(RestoreRequest request, ProgressListener listener) {
    Instant started = Instant.now();
    Path target = request.target().toAbsolutePath().normalize();
    // Read first: a wrong identity file fails before anything is downloaded or touched.
    Decryption decryption = AgeKeys.decryption(request.identities());
    if (request.backup() instanceof BackupOrigin.Stored stored) {
      return restoreStored(request, stored, target, listener, started, decryption);
    }
    Path backup = (request.backup() instanceof BackupOrigin.File file ? file.path()
        : ((BackupOrigin.Stream) request.backup()).path()).toAbsolutePath().normalize();
    if (request.backup() instanceof BackupOrigin.File) {
      if (!Files.exists(backup)) {
        throw SqlbakException.failed("cannot read backup", backup + ": not found", null);
      }
      refuseSideFiles(backup, target);
    }
    RestoreWatch.TargetAtStart atStart = Files.exists(target, LinkOption.NOFOLLOW_LINKS)
        ? RestoreWatch.TargetAtStart.EXISTING : RestoreWatch.TargetAtStart.ABSENT;
    // Standard input, a pipe or a FIFO is read once, into a private scratch file (RestoreInput).
    try (RestoreWatch watch = RestoreWatch.start(target, atStart);
        ReadableBackup opened = RestoreInput.isStream(request.backup(), backup)
            ? RestoreInput.spool(request.backup(), backup, decryption)
            : openBackupFile(backup, Location.of(backup), decryption)) {
      return restore(request, opened, backup, Location.of(backup), target, listener, started, watch);
    }
  }

  /**
   * Restores an S3 object: it is downloaded with its sidecar into a private scratch folder, and
   * from there it is checked and restored as a backup file is; the download goes when it is done.
   */
  private RestoreResult restoreStored(RestoreRequest request, BackupOrigin.Stored stored, Path target,
      ProgressListener listener, Instant started, Decryption decryption) {
    S3Location object = stored.location();
    if (object.namesPrefix()) {
      throw SqlbakException.usage("BACKUP names a prefix, not a backup", object,
          "name one object, as sqlbak list " + object + " shows them");
    }
    BackupStore store = BackupFolder.s3Prefix(object.parent(), stored.s3());
    RestoreWatch.TargetAtStart atStart = Files.exists(target, LinkOption.NOFOLLOW_LINKS)
        ? RestoreWatch.TargetAtStart.EXISTING : RestoreWatch.TargetAtStart.ABSENT;
    try (RestoreWatch watch = RestoreWatch.start(target, atStart);
        BackupStore.LocalCopy copy = download(store, object, stored.s3());
        ReadableBackup opened = openBackupFile(copy.file(), object, decryption)) {
      return restore(request, opened, copy.file(), object, target, listener, started, watch);
    }
  }

  private static BackupStore.LocalCopy download(BackupStore store, S3Location object, S3Options s3) {
    try {
      return store.local(object.fileName(), Sidecar.SUFFIX);
    } catch (NoSuchFileException e) {
      throw SqlbakException.failed("cannot read backup", object + ": not found", prefixHint(object, s3));
    } catch (IOException e) {
      if (AtomicDestination.isNoSpace(e)) {
        throw SqlbakException.failed("scratch folder is full", ReadableBackup.scratchFolder(), "the backup "
            + object + " is downloaded there first; set TMPDIR to a folder with room; the target was not touched", e);
      }
      throw Failures.store("cannot read backup", store, e);
    }
  }

  /**
   * Refuses a TARGET that is, through any path or symlink, one of BACKUP's side files, or a BACKUP
   * that is one of TARGET's: writing either would damage the other's committed data.
   */
  private static void refuseSideFiles(Path backup, Path target) {
    LiveDatabaseFiles.ownFileKind(backup, target).filter(kind -> !kind.isEmpty()).ifPresent(kind -> {
      throw SqlbakException.failed("target is the backup's " + kind.substring(1) + " file", target,
          "restore into a database file of its own");
    });
    LiveDatabaseFiles.ownFileKind(target, backup).filter(kind -> !kind.isEmpty()).ifPresent(kind -> {
      throw SqlbakException.failed("backup is the target's " + kind.substring(1) + " file", backup,
          "name a backup file");
    });
  }

  /** Opens the live target through {@link LiveDatabaseFiles}, which the connection owns. */
  static SqliteDatabase openTarget(Path target, Duration busyTimeout) throws SqliteFailure {
    return SqliteDatabase.openExisting(LiveDatabaseFiles.openForSqlite(target), busyTimeout);
  }

  /** What to say when {@code object} is missing but names a prefix that holds objects: the user meant one of them. */
  private static String prefixHint(S3Location object, S3Options s3) {
    try {
      if (!BackupFolder.s3Prefix(object.asPrefix(), s3).list().isEmpty()) {
        return "it is a prefix; name one backup in it, as sqlbak list " + object.asPrefix() + " shows them";
      }
    } catch (IOException | SqlbakException e) {
      LOG.debug("cannot list {}", object.asPrefix(), e);
    }
    return null;
  }

  /** Opens the backup file {@code backup}, which messages call {@code shown}. */
  private static ReadableBackup openBackupFile(Path backup, Location shown, Decryption decryption) {
    try {
      return ReadableBackup.open(backup, decryption);
    } catch (ReadableBackup.CorruptCompression e) {
      throw new SqlbakException(SqlbakException.Kind.BAD_BACKUP, "backup is bad", shown + ": " + e.getMessage(),
          "the target was not touched", e);
    } catch (IOException e) {
      if (Failures.isUndecrypted(e)) {
        throw Failures.undecrypted(e, shown, "the target was not touched");
      }
      if (AtomicDestination.isNoSpace(e)) {
        throw RestoreSpace.noRoomToDecompress(e);
      }
      throw SqlbakException.failed("cannot read backup", shown, Failures.reason(e), e);
    }
  }

  /**
   * Restores {@code opened}, read from {@code backupFile} (for a stream: the path it was read
   * from, such as /dev/stdin), which messages and the result call {@code backup}.
   */
  private RestoreResult restore(RestoreRequest request, ReadableBackup opened, Path backupFile, Location backup,
      Path target, ProgressListener listener, Instant started, RestoreWatch watch) {
    requireGoodBackup(backup, opened);
    Path database = opened.database();
    boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    checkTarget(request, backupFile, target, exists);
    if (!exists) {
      RestoreSpace.requireRoomForNewFile(database, target);
      long[] pages = restoreAsNewFile(database, target, request, listener, watch);
      return new RestoreResult(backup, target, null, RestoreResult.Written.NEW_FILE, null, pages[0], pages[1],
          Duration.between(started, Instant.now()), List.of());
    }
    LiveDatabaseFiles.requireOneName(target, "target");
    // Held for the whole restore: every connection to the target opened meanwhile (the safety
    // copy's, the backup API's) closes before this lets go of the file's descriptor.
    try (LiveDatabaseFiles held = holdTarget(target)) {
      // SQLite cannot read a damaged target, so neither online copy can work: it is replaced.
      // Seen before the condition check, whose read-write open of a sound target rolls it back.
      List<String> warnings = LiveTargetCopy.hotJournalBeside(target) ? List.of(HOT_JOURNAL + target) : List.of();
      Optional<TargetDamage> damage = TargetCondition.damageOf(held, target, request);
      if (damage.isPresent()) {
        return DamagedTargetRestore.replace(request, opened, backup, target, held, damage.get(), listener, started,
            watch);
      }
      return restoreExisting(request, opened, backup, target, listener, started, watch).withWarnings(warnings);
    }
  }

  private static LiveDatabaseFiles holdTarget(Path target) {
    try {
      return LiveDatabaseFiles.openAsIs(target);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read target", target, Failures.reason(e), e);
    }
  }

  private static RestoreResult restoreExisting(RestoreRequest request, ReadableBackup opened, Location backup,
      Path target, ProgressListener listener, Instant started, RestoreWatch watch) {
    // TargetCondition's read-write open has rolled back any hot journal (a restore killed mid-copy,
    // a crashed writer), as the application's next open would: the safety copy, which reads the
    // target read-only, saves the last committed content. The free space is checked after that.
    RestoreSpace.requireRoomInPlace(opened, target, request);
    Path safetyCopy = null;
    if (request.safetyCopy() && sizeOf(target) > 0) {
      safetyCopy = saveSafetyCopy(target, request);
    }
    Path saved = safetyCopy;
    // The target still holds exactly what the safety copy holds: the copy would be litter.
    long[] pages = new LiveTargetCopy(target, request, watch, () -> deleteQuietly(saved)).copy(opened, listener);
    return new RestoreResult(backup, target, safetyCopy, RestoreResult.Written.ONLINE, null, pages[0], pages[1],
        Duration.between(started, Instant.now()), List.of());
  }

  static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("cannot remove {}", file, e);
    }
  }

  private static void requireGoodBackup(Location backup, ReadableBackup opened) {
    // The bytes as a file: for a backup read from a stream, its scratch copy (a pipe has no size).
    Verdict verdict = BackupInspection.ofOpened(opened.file(), opened, CheckLevel.FULL);
    if (verdict.status() == Verdict.Status.UNREADABLE) {
      throw SqlbakException.failed("cannot read backup", backup + ": " + verdict.problems().get(0), null);
    }
    if (verdict.status() == Verdict.Status.BAD) {
      List<String> p = verdict.problems();
      throw new SqlbakException(SqlbakException.Kind.BAD_BACKUP, "backup is bad",
          backup + ": " + p.get(0) + (p.size() > 1 ? " (and " + (p.size() - 1) + " more)" : ""),
          "the target was not touched");
    }
  }

  private static void checkTarget(RestoreRequest request, Path backup, Path target, boolean exists) {
    Path parent = target.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw SqlbakException.failed("target folder does not exist", parent, "create it first");
    }
    if (!exists) {
      return;
    }
    try {
      if (Files.isSameFile(backup, target)) {
        throw SqlbakException.failed("target is the backup itself", target, "restore into another file");
      }
    } catch (IOException e) {
      // A dangling symlink cannot be the backup; the checks below refuse it.
    }
    if (!Files.isRegularFile(target)) {
      throw SqlbakException.failed("target is not a regular file", target, "name a database file");
    }
    if (!request.force()) {
      throw SqlbakException.failed("target exists", target,
          "use --force to replace its content (its old content is saved first)");
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  private static Path saveSafetyCopy(Path target, RestoreRequest request) {
    Instant when = Instant.now();
    Path copy;
    do {
      copy = target.resolveSibling(target.getFileName() + ".pre-restore-" + BackupNames.STAMP.format(when));
      when = when.plusSeconds(1);
    } while (Files.exists(copy, LinkOption.NOFOLLOW_LINKS));
    BackupRequest save = BackupRequest.of(target, copy.toString())
        .withBusyTimeout(request.busyTimeout())
        .withCheck(CheckLevel.QUICK);
    try {
      BackupEngine.keepingPriority().backupWithoutSidecar(save, ProgressListener.NONE);
    } catch (SqlbakException e) {
      throw new SqlbakException(e.kind(), "cannot save the target's content before restoring",
          e.getMessage(), "nothing was changed; use --no-safety-copy to skip this step", e);
    }
    LOG.debug("saved {} as {}", target, copy);
    return copy;
  }

  /** A target that does not exist yet appears atomically, complete and checked, or not at all. */
  private static long[] restoreAsNewFile(Path backup, Path target, RestoreRequest request,
      ProgressListener listener, RestoreWatch watch) {
    try (AtomicDestination dest = AtomicDestination.create(target.getParent(), DataMode.of(backup));
        SqliteDatabase source = openBackup(backup)) {
      long[] pages = {source.pageCount("main"), source.pageSize("main")};
      copy(source, dest.file().toString(), pages[0], request, listener, target);
      try (SqliteDatabase copy = SqliteDatabase.openOwnCopy(dest.file())) {
        List<String> problems = copy.check(CheckLevel.QUICK);
        if (!problems.isEmpty()) {
          throw SqlbakException.failed("the restored copy fails quick_check", target + ": " + problems.get(0), null);
        }
      }
      watch.copying();
      try {
        dest.publish(dest.file(), target, BackupStore.Publish.CREATE_NEW);
      } catch (IOException | RuntimeException e) {
        watch.copyEnded(RestoreWatch.Phase.ROLLED_BACK);
        throw e;
      }
      watch.copyEnded(RestoreWatch.Phase.COMMITTED);
      return pages;
    } catch (FileAlreadyExistsException e) {
      throw SqlbakException.failed("target exists", target,
          "it appeared while the restore ran; use --force to replace its content", e);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot write target", target, Failures.reason(e), e);
    } catch (SqliteFailure f) {
      throw targetFailure(f, target, request);
    }
  }

  private static SqliteDatabase openBackup(Path backup) throws SqliteFailure {
    SqliteDatabase db = ReadableBackup.openDatabase(backup);
    try {
      db.beginSnapshot(List.of("main"));
      return db;
    } catch (SqliteFailure f) {
      db.close();
      throw f;
    }
  }

  private static void copy(SqliteDatabase source, String destination, long totalPages,
      RestoreRequest request, ProgressListener listener, Path target) throws SqliteFailure {
    long[] highest = {0};
    try {
      source.copyTo("main", destination, request.stepFor(source.pageSize("main")), request.busyTimeout(),
          (copied, total) -> {
            if (copied >= highest[0]) {
              highest[0] = copied;
              listener.copied("main", copied, total);
            }
          });
    } catch (SqliteFailure f) {
      throw targetFailure(f, target, request);
    }
    listener.copyFinished("main", totalPages);
  }

  /** The user's line for a SQLite failure on the target; also {@link TargetCondition}'s. */
  static SqlbakException targetFailure(SqliteFailure f, Path target, RestoreRequest request) {
    switch (f.reason()) {
      case BUSY:
        return SqlbakException.failed("target is busy", target,
            "another process held a lock longer than --busy-timeout "
                + DurationText.format(request.busyTimeout()) + "; it was not changed", f);
      case DISK_FULL:
        return SqlbakException.failed("target's disk is full", target, "free some space; it was not changed", f);
      case READ_ONLY:
      case CANT_OPEN:
        return SqlbakException.failed("cannot write target", target, f.getMessage(), f);
      case NOT_A_DATABASE:
        return SqlbakException.failed("target is not a SQLite database", target,
            "remove it or restore elsewhere; it was not changed", f);
      default:
        return SqlbakException.failed("restore failed", target, f.getMessage(), f);
    }
  }
}
