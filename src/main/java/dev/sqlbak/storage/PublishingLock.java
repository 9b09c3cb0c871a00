package dev.sqlbak.storage;

import static dev.sqlbak.storage.StaleTemporaryFiles.LIVE_TOKENS;
import static dev.sqlbak.storage.StaleTemporaryFiles.deleteQuietly;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-process lock on publishing one name in a folder ({@link AtomicDestination#lockName}):
 * an OS lock on {@code .sqlbak-<hash of name>.lock}, taken in turn by this JVM's threads.
 */
final class PublishingLock {
  /** The files of the locks this JVM holds, for the shutdown hook to remove. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
  /** OS locks belong to the process: threads of this JVM take turns on a name here first. */
  private static final Map<Path, ReentrantLock> TURNS = new ConcurrentHashMap<>();

  private PublishingLock() {}

  /** Looked up lazily: the shutdown hook touches this class on every exit, most without a backup. */
  private static Logger log() {
    return LoggerFactory.getLogger(AtomicDestination.class);
  }

  /** See {@link AtomicDestination#lockName}. */
  static NameLock take(Path folder, String name) throws IOException {
    String token = HexFormat.of().formatHex(sha256(name.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    Path lockPath = StaleTemporaryFiles.lockFile(folder, token);
    ReentrantLock turn = TURNS.computeIfAbsent(lockPath, p -> new ReentrantLock());
    turn.lock();
    LIVE_TOKENS.add(token); // this JVM's sweeps must neither remove it nor open it (closing would unlock)
    try {
      for (int attempt = 0; attempt < 1000; attempt++) {
        FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileChannel atName = null;
        try {
          try {
            channel.lock();
          } catch (IOException e) {
            log().debug("cannot lock {}; publishing unserialised", lockPath, e);
            LIVE_TOKENS.remove(token);
            return turn::unlock;
          }
          atName = sameFileAtName(lockPath);
        } finally {
          if (atName == null) {
            channel.close();
          }
        }
        if (atName != null) {
          FileChannel second = atName;
          HELD.add(lockPath);
          return () -> {
            deleteQuietly(lockPath); // while still locked: no other run can hold this file now
            HELD.remove(lockPath);
            closeQuietly(second);
            closeQuietly(channel);
            LIVE_TOKENS.remove(token);
            turn.unlock();
          };
        }
      }
      throw new IOException("cannot lock " + lockPath);
    } catch (IOException | RuntimeException e) {
      LIVE_TOKENS.remove(token);
      turn.unlock();
      throw e;
    }
  }

  /** Removes the lock files this JVM holds; for the shutdown hook, as the process is about to exit. */
  static void abandonHeld() {
    for (Path lockFile : HELD) {
      deleteQuietly(lockFile); // still locked by this process, which is about to exit
    }
  }

  /**
   * Whether the file now at {@code lockPath} is the one this JVM has just locked: this JVM's lock
   * table knows files by device and inode, so a second lock on the same file overlaps. Returns the
   * second channel, which must stay open as long as the lock is held (closing any channel of a file
   * drops this process's locks on it); null if another file, or none, is at that name now.
   */
  private static FileChannel sameFileAtName(Path lockPath) throws IOException {
    FileChannel second;
    try {
      second = FileChannel.open(lockPath, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      return null;
    }
    try {
      FileLock other = second.tryLock();
      if (other != null) {
        other.release();
      }
    } catch (OverlappingFileLockException e) {
      return second;
    } catch (IOException e) {
      log().debug("cannot test the lock of {}", lockPath, e);
    }
    second.close();
    return null;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log().debug("cannot close a lock file", e);
    }
  }
}
