package dev.sqlbak.engine;

import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.retention.RetentionPolicy;
import dev.sqlbak.retention.Series;
import dev.sqlbak.retention.TimestampedBackup;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.LocalFolderStore;
import dev.sqlbak.storage.Location;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
 * It works on names in a {@link BackupStore}; the folder entry points wrap a {@link LocalFolderStore}.
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
  public PruneResult prune(PruneRequest request, Consumer<Location> onRemoved) {
    BackupStore store = BackupFolder.existing(request.folder(), request.s3());
    Location folder = request.folder();
    List<StemPrune> stems = new ArrayList<>();
    for (StorePrune s : pruneAll(store, request.stem(), request.retention(), request.dryRun(),
        name -> onRemoved.accept(folder.resolve(name)))) {
      stems.add(s.withPaths(folder::resolve));
    }
    return new PruneResult(request.folder(), request.dryRun(), stems);
  }

  /**
   * Prunes every stem in {@code store} (only {@code stem}'s backups when it is not null), each on
   * its own, by {@code retention}; {@code onRemoved} hears of each name as it is removed.
   */
  public List<StorePrune> prune(BackupStore store, String stem, RetentionPolicy retention,
      Consumer<String> onRemoved) {
    return pruneAll(store, stem, retention, false, onRemoved);
  }

  /** As {@link #prune(BackupStore, String, RetentionPolicy, Consumer)}, removing nothing: what it would remove. */
  public List<StorePrune> dryRun(BackupStore store, String stem, RetentionPolicy retention,
      Consumer<String> onRemoved) {
    return pruneAll(store, stem, retention, true, onRemoved);
  }

  /**
   * Prunes the backups of one {@code stem} in {@code folder} by {@code retention}: what
   * {@code backup --keep-*} runs after publishing a new backup. No backups of the stem: nothing happens.
   */
  public StemPrune pruneStem(
      Path folder, String stem, RetentionPolicy retention, boolean dryRun, Consumer<Location> onRemoved) {
    return pruneStem(folder, stem, retention, dryRun, onRemoved, null);
  }

  /**
   * As {@link #pruneStem(Path, String, RetentionPolicy, boolean, Consumer)}, trusting that
   * {@code knownGood} passes a quick check: the backup that was just made and checked need not
   * be read again.
   */
  StemPrune pruneStem(Path folder, String stem, RetentionPolicy retention, boolean dryRun,
      Consumer<Location> onRemoved, Path knownGood) {
    LocalFolderStore store = BackupFolder.existing(folder);
    String knownGoodName = knownGood != null && knownGood.getFileName() != null
        && store.pathOf(knownGood.getFileName().toString()).equals(knownGood)
        ? knownGood.getFileName().toString() : null;
    return pruneStem(store, stem, retention, dryRun, name -> onRemoved.accept(Location.of(store.pathOf(name))),
        knownGoodName).withPaths(name -> Location.of(store.pathOf(name)));
  }

  /**
   * Prunes the backups of one {@code stem} in {@code store}, each of its series on its own,
   * trusting that {@code knownGood} (a name, or null) passes a quick check; returns what happened
   * to the first series (the stem's only one, as a rule). No backups of the stem: nothing happens.
   */
  StorePrune pruneStem(BackupStore store, String stem, RetentionPolicy retention, boolean dryRun,
      Consumer<String> onRemoved, String knownGood) {
    Listing listing = list(store, stem);
    PruneRun run = new PruneRun(store, retention, dryRun, onRemoved, listing.listed());
    List<StorePrune> done = new ArrayList<>();
    for (SeriesListing.Group g : listing.groups()) {
      done.add(run.prune(g, listing.orphansFor(g), knownGood));
    }
    return done.isEmpty() ? new StorePrune(stem, List.of(), List.of(), null, null) : done.get(0);
  }

  /**
   * Prunes the one series {@code series} in {@code store} by {@code retention}, trusting that
   * {@code knownGood} passes a quick check: what {@code backup --keep-*} runs after publishing
   * {@code knownGood} into it, which it never removes. Returns the names removed.
   */
  List<String> pruneSeries(BackupStore store, Series series, RetentionPolicy retention, String knownGood) {
    Listing listing = list(store, series.name());
    PruneRun run = new PruneRun(store, retention, false, name -> {}, listing.listed());
    for (SeriesListing.Group g : listing.groups()) {
      if (g.series().equals(series)) {
        return run.prune(g, listing.orphansFor(g), knownGood).removed();
      }
    }
    return List.of();
  }

  private static List<StorePrune> pruneAll(BackupStore store, String stem, RetentionPolicy retention,
      boolean dryRun, Consumer<String> onRemoved) {
    if (!dryRun) {
      // Dead runs' temporary files (hundreds of MiB after a kill -9) are the first thing to go,
      // with the plain copies that killed encrypted runs left in the scratch folder.
      store.sweepDeadRuns();
      dev.sqlbak.payload.ReadableBackup.sweepScratchFolder();
    }
    Listing listing = list(store, stem);
    PruneRun run = new PruneRun(store, retention, dryRun, onRemoved, listing.listed());
    List<StorePrune> stems = new ArrayList<>();
    for (SeriesListing.Group g : listing.groups()) {
      stems.add(run.prune(g, listing.orphansFor(g), null));
    }
    return stems;
  }

  static boolean exists(BackupStore store, String name) {
    try {
      return store.exists(name);
    } catch (IOException e) {
      throw Failures.store("cannot list directory", store, e);
    }
  }

  /**
   * What prune may act on in a store: sqlbak's backups by series (see {@link SeriesListing}), and
   * by stem the backups that are gone but whose {@code .sha256} sidecar is still there (a run
   * killed between its two removals leaves one), each described by the missing backup's name; and
   * every name listed.
   */
  private record Listing(List<SeriesListing.Group> groups, Map<String, List<TimestampedBackup>> orphans,
      Set<String> listed) {
    /** A stem's orphaned sidecars go with the first of its series, so that they are removed once. */
    List<TimestampedBackup> orphansFor(SeriesListing.Group group) {
      String stem = group.series().name();
      for (SeriesListing.Group g : groups) {
        if (g.series().name().equals(stem)) {
          return g == group ? orphans.getOrDefault(stem, List.of()) : List.of();
        }
      }
      return List.of();
    }
  }

  /** Lists {@code store} (only {@code stem}'s files when it is not null). */
  private static Listing list(BackupStore store, String stem) {
    Map<String, List<TimestampedBackup>> orphans = new TreeMap<>();
    Set<String> listed = new HashSet<>();
    List<BackupStore.StoredFile> files;
    try {
      files = store.list();
    } catch (IOException e) {
      throw Failures.store("cannot list directory", store, e);
    }
    for (BackupStore.StoredFile file : files) {
      String name = file.name();
      listed.add(name);
      if (name.endsWith(SIDECAR)) {
        String of = name.substring(0, name.length() - SIDECAR.length());
        Optional<TimestampedBackup> gone = BackupNames.parse(of);
        if (gone.isPresent() && (stem == null || stem.equals(gone.get().stem())) && !exists(store, of)) {
          orphans.computeIfAbsent(gone.get().stem(), s -> new ArrayList<>()).add(gone.get());
        }
      }
    }
    return new Listing(SeriesListing.group(store, files, Optional.ofNullable(stem)), orphans, listed);
  }
}
