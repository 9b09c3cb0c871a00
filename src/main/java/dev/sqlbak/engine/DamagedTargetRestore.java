package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.Location;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores over a target that {@link TargetCondition} found damaged: SQLite cannot read it, so
 * neither the backup API's safety copy nor its online copy can work. Its bytes are copied as they
 * are into the safety copy (unless --no-safety-copy), the checked backup is written to a temporary
 * file in the target's folder, and that file is renamed over the target.
 *
 * <p>The damaged file's side files never stay beside the new one: a rollback journal does not say
 * which file it belongs to, and SQLite opens a database in WAL mode whenever a -wal file is beside
 * it, so the next opener would roll old pages back into the new file or read stale frames over it.
 * Before the rename, a -journal or -wal with content moves beside the safety copy (where opening
 * the copy read-write applies it, as the application would have) or, without a copy, is removed;
 * an empty one and the -shm (an index SQLite rebuilds) are removed.
 */
final class DamagedTargetRestore {
  private static final Logger LOG = LoggerFactory.getLogger(DamagedTargetRestore.class);
  private static final List<String> SIDE_SUFFIXES = List.of("-journal", "-wal", "-shm");

  private final RestoreRequest request;
  private final Path target;
  private final LiveDatabaseFiles held;
  private final TargetDamage damage;

  private DamagedTargetRestore(RestoreRequest request, Path target, LiveDatabaseFiles held, TargetDamage damage) {
    this.request = request;
    this.target = target;
    this.held = held;
    this.damage = damage;
  }

  /**
   * Replaces the damaged {@code target}, which {@code held} keeps open, by the checked backup
   * {@code opened}; the caller has checked the backup and that the target is a regular file.
   */
  static RestoreResult replace(RestoreRequest request, ReadableBackup opened, Location backup, Path target,
      LiveDatabaseFiles held, TargetDamage damage, ProgressListener listener, Instant started, RestoreWatch watch) {
    return new DamagedTargetRestore(request, target, held, damage).run(opened, backup, listener, started, watch);
  }

  private RestoreResult run(ReadableBackup opened, Location backup, ProgressListener listener, Instant started,
      RestoreWatch watch) {
    Path real = held.real();
    if (!Files.isWritable(real)) {
      // As the online restore of a sound target would: a write-protected file is not replaced.
      throw SqlbakException.failed("cannot write target", target, "permission denied; it was not changed");
    }
    FileState before = FileState.of(real);
    try (AtomicDestination dest = AtomicDestination.create(real.getParent(), held.dataMode())) {
      // An empty file has no bytes to save (and SQLite itself discards side files beside one).
      Path copy = request.safetyCopy() && damage.kind() != TargetDamage.Kind.EMPTY ? saveBytes() : null;
      long[] pages;
      try {
        pages = writeBackup(opened, dest.file(), listener);
        matchOwnerAndMode(dest.file(), real);
      } catch (RuntimeException | IOException e) {
        // The target is as it was, side files included: the copy of its bytes would be litter.
        deleteQuietly(copy);
        throw e instanceof IOException io ? writeFailure(io) : (RuntimeException) e;
      }
      if (!before.equals(FileState.of(real))) {
        // Its application rewrote it meanwhile (a sound database now, perhaps): not what was judged and saved.
        throw SqlbakException.failed("target changed while the restore ran", target, "it was not replaced"
            + (copy == null ? "" : "; its earlier bytes are in " + copy) + "; run the restore again");
      }
      // From here a stop waits for the rename, so that its line says which file TARGET is.
      watch.copying();
      try {
        clearSideFiles(copy);
        publish(dest, real, copy);
      } catch (RuntimeException e) {
        watch.copyEnded(RestoreWatch.Phase.ROLLED_BACK);
        throw e;
      }
      watch.copyEnded(RestoreWatch.Phase.COMMITTED);
      return new RestoreResult(backup, target, copy, RestoreResult.Written.REPLACED_DAMAGED, damage, pages[0],
          pages[1], Duration.between(started, Instant.now()), List.of());
    } catch (IOException e) {
      throw writeFailure(e);
    }
  }

  private SqlbakException writeFailure(IOException e) {
    return SqlbakException.failed("cannot write the new target beside the damaged one", target,
        Failures.reason(e) + "; the target was not changed", e);
  }

  /**
   * Copies the target's bytes as they are, through the descriptor the restore holds, into
   * {@code <TARGET>.pre-restore-<UTC stamp>}: written under a temporary name and published complete
   * (fsync, link, folder fsync), so an interrupted or failed copy leaves no partial safety copy.
   */
  private Path saveBytes() {
    Path folder = target.toAbsolutePath().getParent();
    try (AtomicDestination dest = AtomicDestination.create(folder, held.dataMode())) {
      try (FileChannel out = FileChannel.open(dest.file(), StandardOpenOption.WRITE)) {
        held.copyBytesTo(out);
      }
      Instant when = Instant.now();
      for (int attempt = 0; ; attempt++) {
        String stamp = BackupNames.STAMP.format(when);
        Path copy = target.resolveSibling(target.getFileName() + ".pre-restore-" + stamp);
        try {
          dest.publish(dest.file(), copy, BackupStore.Publish.CREATE_NEW);
          LOG.debug("saved the damaged {} as {}", target, copy);
          return copy;
        } catch (FileAlreadyExistsException e) {
          when = when.plusSeconds(1); // an earlier restore's copy of this second: take the next
          if (attempt > 3600) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw SqlbakException.failed("cannot save the damaged target's bytes before restoring", target,
          Failures.reason(e) + "; nothing was changed; use --no-safety-copy to skip this step", e);
    }
  }

  /**
   * Writes the backup into {@code file} through the backup API and checks it. A target whose
   * header could be read and said WAL stays in WAL mode; any other gets the backup's rollback
   * journal.
   */
  private long[] writeBackup(ReadableBackup opened, Path file, ProgressListener listener) throws IOException {
    boolean headerReadable =
        damage.kind() == TargetDamage.Kind.TRUNCATED || damage.kind() == TargetDamage.Kind.CORRUPT;
    boolean wal = headerReadable && held.headerSaysWal();
    Path database = opened.databaseSayingRollbackJournal();
    try {
      long[] pages;
      try (SqliteDatabase source = ReadableBackup.openDatabase(database)) {
        source.beginSnapshot(List.of("main"));
        pages = new long[] {source.pageCount("main"), source.pageSize("main")};
        copy(source, file, pages[0], listener);
      }
      try (SqliteDatabase copy = SqliteDatabase.openOwnCopy(file)) {
        List<String> problems = copy.check(CheckLevel.QUICK);
        if (!problems.isEmpty()) {
          throw SqlbakException.failed("the restored copy fails quick_check", target + ": " + problems.get(0),
              "the target was not changed");
        }
        if (wal) {
          copy.setJournalMode("wal");
        }
      }
      return pages;
    } catch (SqliteFailure f) {
      throw RestoreEngine.targetFailure(f, target, request);
    }
  }

  private void copy(SqliteDatabase source, Path file, long totalPages, ProgressListener listener)
      throws SqliteFailure {
    long[] highest = {0};
    source.copyTo("main", file.toString(), request.stepFor(source.pageSize("main")), request.busyTimeout(),
        (copied, total) -> {
          if (copied >= highest[0]) {
            highest[0] = copied;
            listener.copied("main", copied, total);
          }
        });
    listener.copyFinished("main", totalPages);
  }

  /**
   * The new file takes the damaged one's place, so it gets its permission bits (without execute),
   * whatever the umask took away, and, where this process may set them, its owner and group: the
   * application that used the old file must be able to open the new one.
   */
  private static void matchOwnerAndMode(Path file, Path real) {
    try {
      PosixFileAttributes old = Files.readAttributes(real, PosixFileAttributes.class);
      Set<PosixFilePermission> bits = EnumSet.noneOf(PosixFilePermission.class);
      bits.addAll(old.permissions());
      bits.removeAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_EXECUTE));
      Files.setPosixFilePermissions(file, bits);
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      PosixFileAttributes now = view.readAttributes();
      if (!now.group().equals(old.group())) {
        view.setGroup(old.group());
      }
      if (!now.owner().equals(old.owner())) {
        view.setOwner(old.owner());
      }
    } catch (IOException | UnsupportedOperationException e) {
      // Only root may give a file away; the mode above is what keeps the data private.
      LOG.debug("cannot give {} the owner or mode of {}", file, real, e);
    }
  }

  /**
   * Takes the damaged file's side files away before the new file appears under its name (see the
   * class comment): -journal first, the one that would write old pages into the new file.
   */
  private void clearSideFiles(Path copy) {
    try {
      moveOrRemoveSideFiles(copy);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot take the damaged target's side files away", held.real().getParent(),
          Failures.reason(e) + "; the target was not replaced" + (copy == null ? "" : "; its bytes are in " + copy),
          e);
    }
  }

  private void moveOrRemoveSideFiles(Path copy) throws IOException {
    for (String suffix : SIDE_SUFFIXES) {
      Path side = held.sideFile(suffix);
      if (!Files.exists(side, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (copy != null && !suffix.equals("-shm") && Files.size(side) > 0) {
        Path beside = copy.resolveSibling(copy.getFileName() + suffix);
        Files.move(side, beside);
        LOG.debug("moved {} to {}", side, beside);
      } else {
        Files.delete(side);
        LOG.debug("removed {}", side);
      }
    }
    fsyncFolder(held.real().getParent());
    if (copy != null) {
      fsyncFolder(copy.getParent());
    }
  }

  private void publish(AtomicDestination dest, Path real, Path copy) {
    try {
      dest.publish(dest.file(), real, BackupStore.Publish.REPLACE);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot replace the damaged target", target, Failures.reason(e)
          + "; the damaged file is still there" + (copy == null ? "" : ", its bytes and side files also in " + copy),
          e);
    }
  }

  private static void fsyncFolder(Path folder) {
    try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      LOG.debug("cannot fsync folder {}", folder, e);
    }
  }

  private static void deleteQuietly(Path file) {
    RestoreEngine.deleteQuietly(file);
  }

  /** What tells whether a file was rewritten: its identity, size and modification time. */
  private record FileState(Object key, long size, long modifiedNanos) {
    static FileState of(Path file) {
      try {
        java.nio.file.attribute.BasicFileAttributes a =
            Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        return new FileState(a.fileKey(), a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
      } catch (IOException e) {
        return new FileState(null, -1, -1); // gone or unreadable: never equal to a state read before
      }
    }
  }
}
