package dev.sqlbak.engine;

import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.retention.RetentionPolicy;
import dev.sqlbak.retention.TimestampedBackup;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.RemoteFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prune's store, rules and mode, shared by the stems it prunes; {@code listed} is every name
 * the store listed, which a dry run, removing nothing, goes by.
 */
record PruneRun(BackupStore store, RetentionPolicy retention, boolean dryRun, Consumer<String> onRemoved,
    Set<String> listed) {
  private static final Logger LOG = LoggerFactory.getLogger(PruneEngine.class);
  private static final String SIDECAR = ".sha256";

  StorePrune prune(SeriesListing.Group group, List<TimestampedBackup> orphans, String knownGood) {
    String stem = group.series().name();
    List<TimestampedBackup> files = group.newestFirst().stream().map(SeriesListing.Entry::backup).toList();
    List<TimestampedBackup> newestFirst = new ArrayList<>(files);
    newestFirst.sort(TimestampedBackup.NEWEST_FIRST);
    Set<TimestampedBackup> keep = retention.keep(newestFirst);
    TimestampedBackup newestGood = newestGood(newestFirst, knownGood);
    // The backup a run has just published is never removed by that run, even when backups
    // dated after it (a clock that ran ahead) fill what the rules keep.
    newestFirst.stream().filter(b -> b.name().equals(knownGood)).findFirst().ifPresent(keep::add);
    if (newestGood != null && keep.add(newestGood)) {
      LOG.debug("keeping {}: the newest backup of {} that passes a quick check",
          store.describe(newestGood.name()), stem);
    }
    List<String> kept = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    // Oldest first, so that a run that stops half-way has removed the least valuable backups.
    List<TimestampedBackup> oldestFirst = new ArrayList<>(files);
    oldestFirst.addAll(orphans);
    oldestFirst.sort(TimestampedBackup.NEWEST_FIRST.reversed());
    for (TimestampedBackup b : oldestFirst) {
      if (orphans.contains(b)) {
        // Asked again now: the listing may have been taken while a backup run published this one.
        if (!PruneEngine.exists(store, b.name())) {
          remove(b.name() + SIDECAR, removed);
        }
        continue;
      }
      if (keep.contains(b)) {
        kept.add(b.name());
        continue;
      }
      // The backup before its sidecar: if the run stops in between, what is left is a harmless
      // checksum file (which the next run removes) rather than a backup that can no longer be
      // checked against its hash.
      remove(b.name(), removed);
      remove(b.name() + SIDECAR, removed);
    }
    return new StorePrune(stem, kept, removed,
        newestFirst.isEmpty() ? null : newestFirst.get(0).name(),
        newestGood == null ? null : newestGood.name());
  }

  /** The newest backup that passes a quick check (and its sidecar's hash, when it has one). */
  private TimestampedBackup newestGood(List<TimestampedBackup> newestFirst, String knownGood) {
    for (TimestampedBackup b : newestFirst) {
      if (b.name().equals(knownGood)) {
        return b;
      }
      // The sidecar comes along, so that the check finds it beside the file as in a folder.
      try (BackupStore.LocalCopy local = store.local(b.name(), SIDECAR)) {
        Verdict v = BackupInspection.of(local.file(), CheckLevel.QUICK);
        if (v.ok()) {
          return b;
        }
        LOG.debug("{} fails a quick check: {}", store.describe(b.name()), v.problems());
      } catch (java.nio.file.NoSuchFileException e) {
        LOG.debug("{} is gone (another prune?)", store.describe(b.name()), e);
      } catch (IOException e) {
        // A check that could not run is not a failed check: going on would let the rules remove
        // the newest good backup too (a full scratch folder made every backup in S3 look bad).
        throw uncheckable(b.name(), e);
      }
    }
    return null;
  }

  private SqlbakException uncheckable(String name, IOException e) {
    if (dev.sqlbak.storage.AtomicDestination.isNoSpace(e)) {
      return SqlbakException.failed("scratch folder is full", dev.sqlbak.payload.ReadableBackup.scratchFolder(),
          "prune reads " + store.describe(name) + " there to check it; set TMPDIR to a folder with room;"
              + " nothing more was removed", e);
    }
    if (e instanceof RemoteFailure remote) {
      return Failures.remote(remote);
    }
    return SqlbakException.failed("cannot check backup", store.describe(name), Failures.reason(e)
        + "; nothing more was removed", e);
  }

  private void remove(String name, List<String> removed) {
    if (!dryRun) {
      try {
        // Only regular files are removed, and one removed by someone else meanwhile is not an
        // error: the goal is reached.
        if (!store.delete(name)) {
          return;
        }
      } catch (IOException e) {
        throw SqlbakException.failed("cannot remove backup", store.describe(name), Failures.reason(e), e);
      }
    } else if (!listed.contains(name)) {
      return; // not a regular file of the store (a folder or symlink carrying the name, or gone)
    }
    LOG.debug("{} {}", dryRun ? "would remove" : "removed", store.describe(name));
    removed.add(name);
    onRemoved.accept(name);
  }
}
