package dev.sqlbak.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file that appears at its final name only when complete: it is written under a hidden temporary
 * name in the destination's own folder, fsynced, then linked or renamed into place and the folder
 * fsynced.
 *
 * <p>Each instance owns a random token; all its temporary files are named {@code
 * .sqlbak-<token>.*} and a {@code .lock} file among them is held locked for the instance's life.
 * A run killed with -9 leaves them behind; the next run into the folder finds their lock free and
 * removes them, while the files of a run still in progress (lock held) are left alone.
 */
public final class AtomicDestination implements AutoCloseable {
  private static final String PREFIX = StaleTemporaryFiles.PREFIX;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<AtomicDestination> IN_FLIGHT = ConcurrentHashMap.newKeySet();

  private final Path folder;
  private final String token;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final DataMode mode;

  /** Looked up lazily: the shutdown hook touches this class on every exit, most without a backup. */
  private static Logger log() {
    return LoggerFactory.getLogger(AtomicDestination.class);
  }

  private AtomicDestination(Path folder, String token, FileChannel lockChannel, FileLock lock, DataMode mode) {
    this.folder = folder;
    this.token = token;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.mode = mode;
  }

  /**
   * Reserves a temporary file in {@code folder}, first removing what dead runs left there; the file
   * ({@link #file()}) exists, empty, with {@code mode}, so that whatever fills it never makes it
   * more readable than the data it will hold.
   */
  public static AtomicDestination create(Path folder, DataMode mode) throws IOException {
    AtomicDestination d = reserve(folder, mode);
    try {
      mode.createEmpty(d.file());
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /**
   * Another new, empty temporary file of this destination with its mode, such as the compressed
   * form of {@link #file()}.
   */
  public Path newFile(String suffix) throws IOException {
    Path file = file(suffix);
    mode.createEmpty(file);
    return file;
  }

  /** The mode this destination's files are created with. */
  public DataMode mode() {
    return mode;
  }

  private static AtomicDestination reserve(Path folder, DataMode mode) throws IOException {
    Path dir = folder.toAbsolutePath().normalize();
    sweepStale(dir);
    for (int attempt = 0; ; attempt++) {
      byte[] bytes = new byte[8];
      RANDOM.nextBytes(bytes);
      String token = HexFormat.of().formatHex(bytes);
      StaleTemporaryFiles.LIVE_TOKENS.add(token);
      Path lockPath = dir.resolve(PREFIX + token + ".lock");
      FileChannel channel = null;
      try {
        channel = FileChannel.open(lockPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileLock lock = lockOrNull(channel);
        // Another run's sweep may have taken the fresh lock file before we locked it and removed
        // it; a lock on a removed file protects nothing, so start again under a new name.
        if (Files.exists(lockPath)) {
          AtomicDestination d = new AtomicDestination(dir, token, channel, lock, mode);
          IN_FLIGHT.add(d);
          return d;
        }
        channel.close();
        StaleTemporaryFiles.LIVE_TOKENS.remove(token);
        if (attempt >= 10) {
          throw new IOException("cannot reserve a temporary file in " + dir);
        }
      } catch (IOException | RuntimeException e) {
        if (channel != null) {
          channel.close();
        }
        Files.deleteIfExists(lockPath);
        StaleTemporaryFiles.LIVE_TOKENS.remove(token);
        throw e;
      }
    }
  }

  /**
   * Waits for and takes the lock on publishing {@code name} in {@code folder}, held across
   * processes until closed. Publishing a file and then its checksum file is two renames: runs that
   * publish one name must not interleave them, or the checksum of a run whose file another run has
   * already replaced could land last, beside a file it does not describe.
   *
   * <p>The lock is an OS lock on {@code .sqlbak-<hash of name>.lock}, removed on release. A waiter
   * may thus end up holding the lock of a file already removed (by the previous holder or by a
   * sweep); it then starts again. Where locks are not supported, publishing goes unserialised.
   */
  public static NameLock lockName(Path folder, String name) throws IOException {
    return PublishingLock.take(folder, name);
  }

  private static FileLock lockOrNull(FileChannel channel) {
    try {
      return channel.lock();
    } catch (IOException e) {
      // A filesystem without locks: the files stay protected, because sweeps treat a lock file
      // they cannot lock as belonging to a live run.
      log().debug("cannot lock temporary file", e);
      return null;
    }
  }

  /**
   * Tries to write one small file into {@code folder} and returns the OS's refusal, or null if it
   * could. SQLite reports a file it cannot create or extend as "unable to open" or "disk I/O
   * error" and drops errno; this recovers the reason (no space, no inodes, read-only) while the
   * condition that stopped the copy still holds.
   */
  public static IOException probeWrite(Path folder) {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    Path probe = folder.resolve(PREFIX + HexFormat.of().formatHex(bytes) + ".probe");
    try {
      try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer block = ByteBuffer.allocate(4096);
        while (block.hasRemaining()) {
          ch.write(block);
        }
        ch.force(true);
      }
      return null;
    } catch (IOException e) {
      return e;
    } finally {
      StaleTemporaryFiles.deleteQuietly(probe);
    }
  }

  /** Whether an I/O failure means the filesystem has no room (space or inodes, or a quota). */
  public static boolean isNoSpace(IOException e) {
    String r = e instanceof FileSystemException && ((FileSystemException) e).getReason() != null
        ? ((FileSystemException) e).getReason()
        : String.valueOf(e.getMessage());
    return r.contains("No space left on device") || r.contains("Disk quota exceeded");
  }

  /** Whether an I/O failure is the kernel refusing to grow a file past the process's file size limit. */
  public static boolean isFileTooLarge(IOException e) {
    return String.valueOf(e.getMessage()).contains("File too large");
  }

  /** The temporary file to write the content into. */
  public Path file() {
    return file("db");
  }

  /** Another temporary file of this destination, e.g. the compressed form of {@link #file()}. */
  public Path file(String suffix) {
    return folder.resolve(PREFIX + token + "." + suffix);
  }

  /** The folder this destination publishes into. */
  public Path folder() {
    return folder;
  }

  /**
   * Makes {@code file}, one of this destination's temporary files, visible as {@code target} (in
   * this folder) and fsyncs the folder. With {@link BackupStore.Publish#CREATE_NEW} an existing
   * target is never touched: the file is hard-linked, which fails if the name exists, so two runs
   * cannot both claim one name.
   *
   * @throws FileAlreadyExistsException if {@code mode} is CREATE_NEW and {@code target} exists
   */
  public void publish(Path file, Path target, BackupStore.Publish mode) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    if (mode == BackupStore.Publish.REPLACE) {
      // rename(2): atomic, and a symlink at the target is replaced rather than followed.
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    } else {
      linkNoClobber(file, target);
    }
    fsyncFolder();
  }

  private static void linkNoClobber(Path file, Path target) throws IOException {
    try {
      Files.createLink(target, file);
      Files.delete(file);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException e) {
      // Filesystems without hard links: check, then rename; only a racing writer can slip between.
      log().debug("hard link unavailable, renaming instead", e);
      if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private void fsyncFolder() {
    try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      log().debug("cannot fsync folder {}", folder, e);
    }
  }

  /** Removes every temporary file of this instance that is still there, then releases its lock. */
  @Override
  public void close() {
    deleteTemporaryFiles();
    try {
      lockChannel.close();
    } catch (IOException e) {
      log().debug("closing lock of {}", token, e);
    }
    IN_FLIGHT.remove(this);
    StaleTemporaryFiles.LIVE_TOKENS.remove(token);
  }

  private List<Path> deleteTemporaryFiles() {
    List<Path> removed = new ArrayList<>();
    for (Path p : StaleTemporaryFiles.filesOf(folder, token)) {
      if (StaleTemporaryFiles.deleteQuietly(p)) {
        removed.add(p);
      }
    }
    if (StaleTemporaryFiles.deleteQuietly(folder.resolve(PREFIX + token + ".lock"))) {
      removed.add(folder.resolve(PREFIX + token + ".lock"));
    }
    return removed;
  }

  /**
   * Removes the temporary files of every destination in flight in this JVM; for the shutdown hook
   * that runs on SIGINT or SIGTERM. Returns whether any destination was in flight.
   */
  public static boolean abandonAll() {
    boolean any = false;
    PublishingLock.abandonHeld();
    for (AtomicDestination d : IN_FLIGHT) {
      any = true;
      d.deleteTemporaryFiles();
    }
    return any;
  }

  /**
   * Removes the temporary files of runs that are no longer alive from {@code folder}: those whose
   * lock file can be locked, and those whose lock file is gone. Never fails; what cannot be
   * removed stays for a later run.
   */
  public static void sweepStale(Path folder) {
    StaleTemporaryFiles.sweep(folder);
  }
}
