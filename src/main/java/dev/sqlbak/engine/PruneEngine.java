package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.retention.RetentionPolicy;
import dev.sqlbak.retention.TimestampedBackup;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes old backups by retention rules, each stem on its own, touching nothing but sqlbak's
 * timestamped backups and their sidecars, and never the newest backup that passes a quick check.
 */
public final class PruneEngine {
  private static final Logger LOG = LoggerFactory.getLogger(PruneEngine.class);
  private static final String SIDECAR = ".sha256";

  /** Prunes as {@code request} says, without reporting files one by one. */
  public PruneResult prune(PruneRequest request) {
    return prune(request, file -> {});
  }

  /**
   * Prunes as {@code request} says; {@code onRemoved} hears of each file as it is removed (in a dry
   * run: each file that would be), so a caller can report progress even if a later removal fails.
   */
  public PruneResult prune(PruneRequest request, Consumer<Path> onRemoved) {
    Listing listing = list(request.folder(), request.stem());
    List<StemPrune> stems = new ArrayList<>();
    for (Map.Entry<String, List<TimestampedBackup>> e : listing.backups().entrySet()) {
      stems.add(prune(e.getKey(), e.getValue(), listing.orphansOf(e.getKey()), request.retention(),
          request.dryRun(), onRemoved, null));
    }
    return new PruneResult(request.folder(), request.dryRun(), stems);
  }

  /**
   * Prunes the backups of one {@code stem} in {@code folder} by {@code retention}: what
   * {@code backup --keep-*} runs after publishing a new backup. No backups of the stem: nothing happens.
   */
  public StemPrune pruneStem(
      Path folder, String stem, RetentionPolicy retention, boolean dryRun, Consumer<Path> onRemoved) {
    return pruneStem(folder, stem, retention, dryRun, onRemoved, null);
  }

  /**
   * As {@link #pruneStem(Path, String, RetentionPolicy, boolean, Consumer)}, trusting that
   * {@code knownGood} passes a quick check: the backup that was just made and checked need not
   * be read again.
   */
  StemPrune pruneStem(Path folder, String stem, RetentionPolicy retention, boolean dryRun,
      Consumer<Path> onRemoved, Path knownGood) {
    Listing listing = list(folder, stem);
    List<TimestampedBackup> files = listing.backups().getOrDefault(stem, List.of());
    return prune(stem, files, files.isEmpty() ? List.of() : listing.orphansOf(stem), retention, dryRun, onRemoved,
        knownGood);
  }

  private static StemPrune prune(String stem, List<TimestampedBackup> files, List<TimestampedBackup> orphans,
      RetentionPolicy retention, boolean dryRun, Consumer<Path> onRemoved, Path knownGood) {
    List<TimestampedBackup> newestFirst = new ArrayList<>(files);
    newestFirst.sort(TimestampedBackup.NEWEST_FIRST);
    Set<TimestampedBackup> keep = retention.keep(newestFirst);
    TimestampedBackup newestGood = newestGood(newestFirst, knownGood);
    if (newestGood != null && keep.add(newestGood)) {
      LOG.debug("keeping {}: the newest backup of {} that passes a quick check", newestGood.file(), stem);
    }
    List<Path> kept = new ArrayList<>();
    List<Path> removed = new ArrayList<>();
    // Oldest first, so that a run that stops half-way has removed the least valuable backups.
    List<TimestampedBackup> oldestFirst = new ArrayList<>(files);
    oldestFirst.addAll(orphans);
    oldestFirst.sort(TimestampedBackup.NEWEST_FIRST.reversed());
    for (TimestampedBackup b : oldestFirst) {
      if (orphans.contains(b)) {
        // Asked again now: the listing may have been taken while a backup run published this one.
        if (!Files.exists(b.file(), LinkOption.NOFOLLOW_LINKS)) {
          remove(Sidecar.of(b.file()), dryRun, removed, onRemoved);
        }
        continue;
      }
      if (keep.contains(b)) {
        kept.add(b.file());
        continue;
      }
      // The backup before its sidecar: if the run stops in between, what is left is a harmless
      // checksum file (which the next run removes) rather than a backup that can no longer be
      // checked against its hash.
      remove(b.file(), dryRun, removed, onRemoved);
      remove(Sidecar.of(b.file()), dryRun, removed, onRemoved);
    }
    return new StemPrune(stem, kept, removed,
        newestFirst.isEmpty() ? null : newestFirst.get(0).file(),
        newestGood == null ? null : newestGood.file());
  }

  /** The newest backup that passes a quick check (and its sidecar's hash, when it has one). */
  private static TimestampedBackup newestGood(List<TimestampedBackup> newestFirst, Path knownGood) {
    for (TimestampedBackup b : newestFirst) {
      if (b.file().equals(knownGood)) {
        return b;
      }
      Verdict v = VerifyEngine.inspect(b.file(), null, CheckLevel.QUICK);
      if (v.ok()) {
        return b;
      }
      LOG.debug("{} fails a quick check: {}", b.file(), v.problems());
    }
    return null;
  }

  private static void remove(Path file, boolean dryRun, List<Path> removed, Consumer<Path> onRemoved) {
    // Only regular files: a directory or a symlink that happens to carry a backup's name is not ours.
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!dryRun) {
      try {
        if (!Files.deleteIfExists(file)) {
          return; // removed by someone else meanwhile: the goal is reached
        }
      } catch (IOException e) {
        throw SqlbakException.failed("cannot remove backup", file, Failures.reason(e), e);
      }
    }
    LOG.debug("{} {}", dryRun ? "would remove" : "removed", file);
    removed.add(file);
    onRemoved.accept(file);
  }

  /**
   * What prune may act on in a folder: sqlbak's backups by stem, sorted by stem, and by stem the
   * backups that are gone but whose {@code .sha256} sidecar is still there (a run killed between
   * its two removals leaves one), each described by the missing backup's name.
   */
  private record Listing(Map<String, List<TimestampedBackup>> backups, Map<String, List<TimestampedBackup>> orphans) {
    List<TimestampedBackup> orphansOf(String stem) {
      return orphans.getOrDefault(stem, List.of());
    }
  }

  /** Lists {@code folder} (only {@code stem}'s files when it is not null). */
  private static Listing list(Path folder, String stem) {
    if (!Files.exists(folder)) {
      throw SqlbakException.failed("directory not found", folder, null);
    }
    if (!Files.isDirectory(folder)) {
      throw SqlbakException.failed("not a directory", folder, "name the folder that holds the backups");
    }
    Map<String, List<TimestampedBackup>> byStem = new TreeMap<>();
    Map<String, List<TimestampedBackup>> orphans = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.endsWith(SIDECAR)) {
          Path of = entry.resolveSibling(name.substring(0, name.length() - SIDECAR.length()));
          Optional<TimestampedBackup> gone = BackupNames.parse(of);
          if (gone.isPresent() && (stem == null || stem.equals(gone.get().stem()))
              && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS) && !Files.exists(of, LinkOption.NOFOLLOW_LINKS)) {
            orphans.computeIfAbsent(gone.get().stem(), s -> new ArrayList<>()).add(gone.get());
          }
          continue;
        }
        Optional<TimestampedBackup> backup = BackupNames.parse(entry);
        if (backup.isEmpty() || (stem != null && !stem.equals(backup.get().stem()))
            || !Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        byStem.computeIfAbsent(backup.get().stem(), s -> new ArrayList<>()).add(backup.get());
      }
    } catch (IOException e) {
      throw SqlbakException.failed("cannot list directory", folder, Failures.reason(e), e);
    } catch (DirectoryIteratorException e) {
      throw SqlbakException.failed("cannot list directory", folder, Failures.reason(e.getCause()), e);
    }
    return new Listing(byStem, orphans);
  }
}
