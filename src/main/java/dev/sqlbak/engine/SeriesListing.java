package dev.sqlbak.engine;

import dev.sqlbak.payload.Provenance;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.retention.Series;
import dev.sqlbak.retention.TimestampedBackup;
import dev.sqlbak.storage.BackupStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The backups in a store grouped by series, read from their names and sidecars only (the backups
 * themselves are not opened). A backup without provenance joins the one full series of its name
 * that has provenance, if there is exactly one; otherwise it stands in the series of its name.
 */
public final class SeriesListing {
  /** Sidecars are small; a larger file at a sidecar's name is not one of sqlbak's. */
  private static final int SIDECAR_LIMIT = 64 * 1024;

  private SeriesListing() {}

  /**
   * One backup in a store.
   *
   * @param backup its name, the name part and the time in it
   * @param bytes its size
   * @param sidecar its sidecar, if it has one
   */
  public record Entry(TimestampedBackup backup, long bytes, Optional<Sidecar> sidecar) {
    /** Where the backup came from, if its sidecar says. */
    public Optional<Provenance> provenance() {
      return sidecar.flatMap(Sidecar::provenance);
    }
  }

  /**
   * The backups of one series, newest first.
   *
   * @param series the series
   * @param newestFirst its backups
   */
  public record Group(Series series, List<Entry> newestFirst) {}

  /** Every series in {@code store}, sorted by {@link Series#ORDER}; only those named {@code name} if given. */
  public static List<Group> read(BackupStore store, Optional<String> name) throws IOException {
    return group(store, store.list(), name);
  }

  /**
   * The series of the backups among {@code files} (a listing of {@code store}), sorted by {@link
   * Series#ORDER}; only those named {@code name} if given. Sidecars are read from the store.
   */
  public static List<Group> group(BackupStore store, List<BackupStore.StoredFile> files, Optional<String> name) {
    Set<String> names = files.stream().map(BackupStore.StoredFile::name).collect(Collectors.toSet());
    Map<Series, List<Entry>> bySeries = new TreeMap<>(Series.ORDER);
    List<Entry> unknown = new ArrayList<>();
    for (BackupStore.StoredFile f : files) {
      Optional<TimestampedBackup> parsed = BackupNames.parse(f.name());
      if (parsed.isEmpty() || name.isPresent() && !name.get().equals(parsed.get().stem())) {
        continue;
      }
      Optional<Sidecar> sidecar = names.contains(f.name() + Sidecar.SUFFIX)
          ? readSidecar(store, f.name() + Sidecar.SUFFIX) : Optional.empty();
      Entry entry = new Entry(parsed.get(), f.size(), sidecar);
      Optional<Provenance> p = entry.provenance();
      if (p.isEmpty()) {
        unknown.add(entry);
      } else {
        bySeries.computeIfAbsent(seriesOf(parsed.get().stem(), p.get()), s -> new ArrayList<>()).add(entry);
      }
    }
    placeUnknown(bySeries, unknown);
    List<Group> groups = new ArrayList<>();
    bySeries.forEach((series, entries) -> {
      entries.sort((a, b) -> TimestampedBackup.NEWEST_FIRST.compare(a.backup(), b.backup()));
      groups.add(new Group(series, List.copyOf(entries)));
    });
    return groups;
  }

  /** The series a backup named {@code name} with provenance {@code p} belongs to. */
  public static Series seriesOf(String name, Provenance p) {
    return p.partial() ? Series.partial(name, p.source(), p.host(), p.tables()) : Series.full(name, p.source(), p.host());
  }

  /** Backups without provenance join the one known full series of their name, else the series of their name. */
  private static void placeUnknown(Map<Series, List<Entry>> bySeries, List<Entry> unknown) {
    Map<String, List<Series>> fullByName = new HashMap<>();
    for (Series s : bySeries.keySet()) {
      if (s.part() == Series.Part.FULL) {
        fullByName.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(s);
      }
    }
    for (Entry e : unknown) {
      List<Series> known = fullByName.getOrDefault(e.backup().stem(), List.of());
      Series home = known.size() == 1 ? known.get(0) : Series.ofName(e.backup().stem());
      bySeries.computeIfAbsent(home, s -> new ArrayList<>()).add(e);
    }
  }

  private static Optional<Sidecar> readSidecar(BackupStore store, String name) {
    try (InputStream in = store.open(name)) {
      byte[] bytes = in.readNBytes(SIDECAR_LIMIT + 1);
      if (bytes.length > SIDECAR_LIMIT) {
        return Optional.empty();
      }
      return Optional.of(Sidecar.parse(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      return Optional.empty(); // gone meanwhile, or unreadable: as if there were none
    }
  }
}
