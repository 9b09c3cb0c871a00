package dev.sqlbak.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sqlbak's hidden temporary files ({@code .sqlbak-<token>.*}) and the sweep that removes those of
 * runs that are no longer alive: a run holds the OS lock on its {@code .sqlbak-<token>.lock} for
 * its whole life, so a lock that can be taken (or a lock file that is gone) marks a dead run.
 */
final class StaleTemporaryFiles {
  /** The prefix of every temporary file sqlbak makes in a folder. */
  static final String PREFIX = ".sqlbak-";
  private static final Pattern TEMP_NAME = Pattern.compile("\\.sqlbak-([0-9a-f]{16})\\..+");
  /** Tokens of this JVM's live files: never swept, and never opened (closing would unlock). */
  static final Set<String> LIVE_TOKENS = ConcurrentHashMap.newKeySet();

  private StaleTemporaryFiles() {}

  /** Looked up lazily: the shutdown hook touches this class on every exit, most without a backup. */
  private static Logger log() {
    return LoggerFactory.getLogger(AtomicDestination.class);
  }

  /** The lock file of the run (or name lock) with {@code token} in {@code folder}. */
  static Path lockFile(Path folder, String token) {
    return folder.resolve(PREFIX + token + ".lock");
  }

  /**
   * Removes the temporary files of runs that are no longer alive from {@code folder}: those whose
   * lock file can be locked, and those whose lock file is gone. Never fails; what cannot be
   * removed stays for a later run.
   */
  static void sweep(Path folder) {
    Map<String, List<Path>> byToken = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, PREFIX + "*")) {
      for (Path p : entries) {
        Matcher m = TEMP_NAME.matcher(p.getFileName().toString());
        if (m.matches() && !LIVE_TOKENS.contains(m.group(1))) {
          byToken.computeIfAbsent(m.group(1), t -> new ArrayList<>()).add(p);
        }
      }
    } catch (IOException e) {
      log().debug("cannot list {} for stale temporary files", folder, e);
      return;
    }
    for (Map.Entry<String, List<Path>> group : byToken.entrySet()) {
      sweepGroup(folder, group.getKey(), group.getValue());
    }
  }

  private static void sweepGroup(Path folder, String token, List<Path> files) {
    Path lockPath = lockFile(folder, token);
    // Ask again rather than trust the listing: a listing taken while a run creates its lock file
    // and then its copy may show the copy without the lock.
    if (!files.contains(lockPath) && !Files.exists(lockPath)) {
      // A live run creates its lock file before anything else and removes it last.
      files.forEach(StaleTemporaryFiles::deleteQuietly);
      return;
    }
    try (FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.WRITE)) {
      FileLock held;
      try {
        held = ch.tryLock();
      } catch (IOException | OverlappingFileLockException e) {
        return; // cannot tell: treat as alive
      }
      if (held == null) {
        return; // another process holds it: a run in progress
      }
      log().debug("removing temporary files of a dead run: {}", files);
      for (Path p : files) {
        if (!p.equals(lockPath)) {
          deleteQuietly(p);
        }
      }
      deleteQuietly(lockPath);
    } catch (NoSuchFileException e) {
      // swept by someone else meanwhile
    } catch (IOException e) {
      log().debug("cannot sweep {}", lockPath, e);
    }
  }

  /** The temporary files of {@code token} in {@code folder}, its lock file excepted. */
  static List<Path> filesOf(Path folder, String token) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, PREFIX + token + ".*")) {
      for (Path p : entries) {
        if (!p.getFileName().toString().endsWith(".lock")) {
          files.add(p);
        }
      }
    } catch (IOException e) {
      log().debug("cannot list {}", folder, e);
    }
    return files;
  }

  /** Removes {@code p} if it is there; a failure is logged, never thrown (cleanup must not mask a result). */
  static boolean deleteQuietly(Path p) {
    try {
      if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        // A run's private folder (an S3 download) holds only that run's files, one level deep.
        try (java.util.stream.Stream<Path> entries = Files.list(p)) {
          for (Path entry : (Iterable<Path>) entries::iterator) {
            Files.deleteIfExists(entry);
          }
        }
      }
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      log().debug("cannot remove {}", p, e);
      return false;
    }
  }
}
