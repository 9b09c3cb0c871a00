package dev.sqlbak.engine;

import dev.sqlbak.copy.StagedCopy;
import dev.sqlbak.payload.Provenance;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.retention.Series;
import dev.sqlbak.sqlite.TableRows;
import dev.sqlbak.storage.BackupStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The series one schema of a backup run belongs to (its name, its source's real path and host,
 * full or partial), and what that means in a store: whose backups the name already holds, and the
 * provenance its sidecars record.
 *
 * @param series the series
 * @param kind what the run copies: {@link Provenance#FULL}, {@link Provenance#COMPACT} or its tables
 */
record BackupSeries(Series series, String kind) {
  /** How far past its snapshot a backup's name may lie and still count as bumped by a neighbour. */
  private static final long BUMP_WINDOW_SECONDS = 60;

  /** The series of {@code stage}, copied as {@code request} asks. */
  static BackupSeries of(BackupRequest request, StagedCopy stage) {
    String kind = !request.tables().isEmpty() ? Provenance.tablesKind(tableNames(request, stage))
        : request.compact() ? Provenance.COMPACT : Provenance.FULL;
    String name = request.seriesName(stage.sourceFile());
    String source = stage.files().real().toString();
    Series series = request.tables().isEmpty() ? Series.full(name, source, Provenance.thisHost())
        : Series.partial(name, source, Provenance.thisHost(), request.tables());
    return new BackupSeries(series, kind);
  }

  /** The tables asked for; their names as created are known only once copied. */
  private static List<String> tableNames(BackupRequest request, StagedCopy stage) {
    List<String> copied = stage.tables().stream().map(TableRows::name).toList();
    return copied.isEmpty() ? request.tables() : copied;
  }

  /** The name part of this series' backups. */
  String name() {
    return series.name();
  }

  /**
   * Refuses a store whose backups of this name came from another source: naming and retention act
   * within one series, and two sources under one name would take each other's history.
   */
  void refuseOtherSources(BackupStore store) {
    refuseOtherSources(store, groupsIn(store));
  }

  /** As {@link #refuseOtherSources(BackupStore)}, on {@code groups}, the series of this name in {@code store}. */
  void refuseOtherSources(BackupStore store, List<SeriesListing.Group> groups) {
    for (SeriesListing.Group g : groups) {
      Series other = g.series();
      if (other.sourceKnown() && !(other.source().equals(series.source()) && other.host().equals(series.host()))) {
        throw SqlbakException.failed("destination holds another source's backups named " + name(),
            store.describe(g.newestFirst().get(0).backup().name()),
            "they are of " + other.describeSource() + ", this run's source is " + series.describeSource()
                + "; give this source's backups another name with --name");
      }
    }
  }

  /** The provenance the sidecar of this series' backup of {@code stage}, taken at {@code snapshot}, records. */
  Provenance provenance(StagedCopy stage, Instant snapshot) {
    return new Provenance(series.source().orElseThrow(), series.host().orElseThrow(), snapshot, kind,
        stage.pageSize(), stage.pageCount(), SqlbakVersion.get(), 0);
  }

  /**
   * The earliest second a backup of this name taken at {@code snapshot} may be named for, so that
   * names sort as the snapshots do: after every backup of the name whose snapshot (by its
   * provenance, else by its name) was not later than this one, even where that one was named
   * for a later second because its own was taken. A backup from the future (a clock that ran
   * ahead) has a later snapshot and moves nothing.
   */
  Instant notBefore(List<SeriesListing.Group> groups, Instant snapshot) {
    Instant floor = snapshot;
    for (SeriesListing.Group g : groups) {
      for (SeriesListing.Entry e : g.newestFirst()) {
        Instant taken = e.provenance().map(Provenance::snapshot).orElse(e.backup().time());
        Instant after = e.backup().time().plusSeconds(1);
        // Only a neighbour bumped a few seconds past its own snapshot: a name far from its
        // snapshot (renamed by hand, or a clock that ran ahead) never moves the clock.
        boolean bumped = !e.backup().time().isAfter(taken.plusSeconds(BUMP_WINDOW_SECONDS));
        if (!taken.isAfter(snapshot) && bumped && after.isAfter(floor)) {
          floor = after;
        }
      }
    }
    return floor;
  }

  /**
   * The warning due when this series in {@code store} holds backups dated after {@code published}
   * (a clock that once ran ahead): they sort as newer, and retention keeps them as such.
   */
  Optional<String> laterThan(BackupStore store, List<SeriesListing.Group> groups, String published) {
    Instant time = BackupNames.parse(published).orElseThrow().time();
    List<String> later = new ArrayList<>();
    for (SeriesListing.Group g : groups) {
      if (g.series().equals(series) || !g.series().sourceKnown() && series.part() == Series.Part.FULL) {
        g.newestFirst().stream().filter(e -> e.backup().time().isAfter(time))
            .forEach(e -> later.add(e.backup().name()));
      }
    }
    if (later.isEmpty()) {
      return Optional.empty();
    }
    later.sort(null);
    return Optional.of(store.describe() + " holds " + later.size() + " backup(s) of " + name()
        + " dated after the new one, " + published + " (newest: " + later.get(later.size() - 1)
        + "); a clock ran ahead? retention counts them as newer");
  }

  /** The series of this name in {@code store}, read from names and sidecars. */
  List<SeriesListing.Group> groupsIn(BackupStore store) {
    try {
      return SeriesListing.read(store, Optional.of(name()));
    } catch (IOException e) {
      throw Failures.store("cannot list directory", store, e);
    }
  }
}
