package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.CopyCheck;
import dev.sqlbak.copy.CopyOrder;
import dev.sqlbak.copy.Snapshot;
import dev.sqlbak.copy.SnapshotCopier;
import dev.sqlbak.copy.StagedCopy;
import dev.sqlbak.payload.Payload;
import dev.sqlbak.payload.PayloadPass;
import dev.sqlbak.payload.Provenance;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.source.SourceConnection;
import dev.sqlbak.source.SourceSpec;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.storage.BackupStore.Publish;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.NameLock;
import dev.sqlbak.tuning.Tuning;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes consistent, checked backups of live SQLite databases and publishes them atomically: the
 * source is opened ({@code source}), copied under one snapshot ({@code copy}), checked while the
 * payload is made ({@code check}, {@code payload}) and published ({@code storage}). Never prints
 * and never exits: progress goes to a {@link ProgressListener}, failures are thrown as {@link
 * SqlbakException}.
 */
public final class BackupEngine {
  private static final Logger LOG = LoggerFactory.getLogger(BackupEngine.class);

  private final Tuning tuning;

  /** An engine with the machine's tuning (see {@link Tuning#fromEnvironment}). */
  public BackupEngine() {
    this(Tuning.fromEnvironment());
  }

  /** An engine with the given tuning. */
  public BackupEngine(Tuning tuning) {
    this.tuning = tuning;
  }

  /**
   * An engine that leaves the process's priority alone: for a restore's safety copy, since the
   * restore then writes into its target under a lock that others wait for, and a lowered priority
   * cannot be raised again.
   */
  static BackupEngine keepingPriority() {
    return new BackupEngine(Tuning.fromEnvironment().keepingPriority());
  }

  static Duration defaultBusyTimeout() {
    return DurationText.parse(BackupRequest.DEFAULT_BUSY_TIMEOUT);
  }

  /** SQLite's version as bundled in the driver, for {@code --version}. */
  public static String sqliteVersion() {
    return SqliteDatabase.sqliteVersion();
  }

  /** Runs one backup as the request describes; see the contract's "backup" section. */
  public BackupResult backup(BackupRequest request, ProgressListener listener) {
    if (request.toStream()) {
      throw SqlbakException.usage("a stream destination needs an output stream", request.destination(), null);
    }
    return run(request, listener, BackupPublisher.Sidecars.WRITTEN, null);
  }

  /**
   * Backs up into {@code sink} instead of a file: the copy is made and checked in a temporary
   * file first, so nothing reaches the sink unless the backup is complete and checked.
   */
  public BackupResult stream(BackupRequest request, OutputStream sink, ProgressListener listener) {
    return run(request.withDestination(BackupRequest.STREAM), listener, BackupPublisher.Sidecars.WRITTEN, sink);
  }

  /** As {@link #backup}, without a .sha256 sidecar: a restore's safety copy. */
  BackupResult backupWithoutSidecar(BackupRequest request, ProgressListener listener) {
    return run(request, listener, BackupPublisher.Sidecars.OMITTED, null);
  }

  private BackupResult run(BackupRequest request, ProgressListener listener, BackupPublisher.Sidecars sidecars,
      OutputStream sink) {
    Instant started = Instant.now();
    BackupTarget target = BackupTarget.resolve(request);
    ReadableBackup.sweepScratchFolder();
    BackupStore store = target.store();
    List<StagedCopy> stages = new ArrayList<>();
    try (UploadWatch watch = store == null ? null : UploadWatch.start(store);
        SourceConnection source = SourceConnection.open(new SourceSpec(request.source(), request.attachments(),
        request.schemas(), request.busyTimeout()))) {
      for (String schema : request.schemas()) {
        stages.add(new StagedCopy(schema, source.filesOf(schema)));
        if (target.kind() == BackupTarget.Kind.DIRECTORY) {
          // Before anything is copied: a name taken by another source's backups refuses the run.
          BackupSeries.of(request, stages.get(stages.size() - 1)).refuseOtherSources(store);
        }
      }
      Snapshot snapshot = SnapshotCopier.copy(source, orderFor(request, target, target.copyStore(store)), stages,
          listener);
      // Every copy is checked before any is published: a schema that fails leaves nothing behind.
      List<Payload> payloads = new ArrayList<>();
      for (StagedCopy stage : stages) {
        payloads.add(check(stage, request.check(), target, store, sink));
      }
      Published published = publishAll(new BackupPublisher(store, sidecars, watch), stages, payloads, request, target,
          snapshot.time());
      return new BackupResult(published.copies(), snapshot.time(), Duration.between(started, Instant.now()),
          published.pruned(), snapshot.contention(), published.warnings());
    } finally {
      stages.forEach(StagedCopy::close);
    }
  }

  /** What publishing a run's copies gave: the copies, what retention removed, and warnings. */
  private record Published(List<BackupCopy> copies, List<Location> pruned, List<String> warnings) {}

  /** Publishes every checked copy (files and folders only), then applies retention to each new backup's series. */
  private static Published publishAll(BackupPublisher publisher, List<StagedCopy> stages, List<Payload> payloads,
      BackupRequest request, BackupTarget target, Instant time) {
    List<BackupCopy> copies = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < stages.size(); i++) {
      StagedCopy stage = stages.get(i);
      Location published = null;
      if (target.toFiles()) {
        BackupSeries series = BackupSeries.of(request, stage);
        PublishedCopy copy = publish(publisher, stage, payloads.get(i), series, request, target, time);
        published = copy.location();
        copy.warning().ifPresent(warnings::add);
      }
      copies.add(new BackupCopy(stage.schema(), stage.sourceFile(), published, stage.pageSize(),
          stage.pageCount(), payloads.get(i).bytes(), payloads.get(i).sha256(), request.check(),
          target.compression(), stage.tables(), target.encryption().recipients()));
    }
    warnings.addAll(publisher.warnings());
    List<Location> pruned = new ArrayList<>();
    if (request.retention() != null) {
      for (int i = 0; i < stages.size(); i++) {
        BackupSeries series = BackupSeries.of(request, stages.get(i));
        for (String name : new PruneEngine().pruneSeries(publisher.store(), series.series(), request.retention(),
            copies.get(i).destination().fileName())) {
          pruned.add(target.locationOf(name));
        }
      }
    }
    return new Published(copies, pruned, warnings);
  }

  private CopyOrder orderFor(BackupRequest request, BackupTarget target, BackupStore store) {
    CopyOrder.Kind kind = !request.tables().isEmpty() ? CopyOrder.Kind.TABLES
        : request.compact() ? CopyOrder.Kind.COMPACT : CopyOrder.Kind.PAGES;
    CopyOrder.Staging staging = target.kind() == BackupTarget.Kind.MEMORY
        ? CopyOrder.Staging.MEMORY : CopyOrder.Staging.FOLDER;
    return new CopyOrder(kind, request.tables(), request::stepFor, request.busyTimeout(), request.check(),
        staging, store, target.folder(), target.publishesCopy(), tuning);
  }

  /**
   * Checks one staged copy and makes its payload: for files, on another core while SQLite checks;
   * for a stream, sent to {@code sink} once checked; for memory, nothing to make.
   */
  private static Payload check(StagedCopy stage, CheckLevel check, BackupTarget target, BackupStore store,
      OutputStream sink) {
    long t0 = System.nanoTime();
    Payload payload;
    if (stage.inMemory()) {
      CopyCheck.inMemory(stage, check);
      payload = new Payload(null, null, stage.pageCount() * stage.pageSize());
    } else if (target.kind() == BackupTarget.Kind.STREAM) {
      CopyCheck.onDisk(stage, check);
      payload = PayloadPass.send(stage.staging().file(), target.compression(), target.encryption(), sink);
    } else {
      if (target.stagesApart()) {
        stageOutput(stage, target, store);
      }
      payload = CopyCheck.whilePreparing(stage, check,
          copyBytes -> PayloadPass.prepare(stage, target.compression(), target.encryption(), copyBytes));
    }
    LOG.debug("checked and hashed the copy of schema {} in {} ms", stage.schema(),
        (System.nanoTime() - t0) / 1_000_000);
    return payload;
  }

  private static void stageOutput(StagedCopy stage, BackupTarget target, BackupStore store) {
    try {
      stage.stageOutputIn(store);
    } catch (java.io.IOException e) {
      throw Failures.write("cannot write to destination folder", target.publishingFolder(), 0, Failures.reason(e),
          e);
    }
  }

  /** Where one copy was published, and what the user should hear of its folder. */
  private record PublishedCopy(Location location, Optional<String> warning) {}

  /** Publishes one checked copy: at the file destination's name, or timestamped in a folder; returns where. */
  private static PublishedCopy publish(BackupPublisher publisher, StagedCopy stage, Payload payload, BackupSeries series,
      BackupRequest request, BackupTarget target, Instant time) {
    long t0 = System.nanoTime();
    Provenance provenance = series.provenance(stage, time).encryptedTo(target.encryption().recipients());
    PublishedCopy published;
    if (target.kind() == BackupTarget.Kind.FILE) {
      String name = target.fileName();
      publisher.publishAs(stage, payload, name, request.force() ? Publish.REPLACE : Publish.CREATE_NEW, provenance);
      published = new PublishedCopy(target.destination(), Optional.empty());
    } else {
      try (NameLock turn = publisher.lockSeries(stage, series.name())) {
        // Read once under the lock: another source's run may have published this name meanwhile,
        // and naming and the warning look at the same backups.
        List<SeriesListing.Group> groups = series.groupsIn(publisher.store());
        series.refuseOtherSources(publisher.store(), groups);
        String name = publisher.publishTimestamped(stage, payload, series.name(), target.suffix(),
            series.notBefore(groups, time), provenance);
        published = new PublishedCopy(target.locationOf(name),
            series.laterThan(publisher.store(), groups, name));
      }
    }
    LOG.debug("published the copy of schema {} (fsync, link, sidecar) in {} ms", stage.schema(),
        (System.nanoTime() - t0) / 1_000_000);
    return published;
  }
}
