package dev.sqlbak.engine;

import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.Provenance;
import dev.sqlbak.retention.SafetyCopyName;
import dev.sqlbak.storage.BackupStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Lists the backups in a folder by series, from their names and sidecars only: no backup is
 * opened, so listing a folder of large or encrypted backups is as quick as listing the folder.
 */
public final class ListEngine {

  /** The backups in the request's folder; a missing folder or a file in its place fails the call. */
  public ListResult list(ListRequest request) {
    BackupStore store = BackupFolder.existing(request.folder(), request.s3());
    return new ListResult(request.folder(), request.stem(), groups(store, request.stem()),
        safetyCopies(store, request.stem()));
  }

  /**
   * The safety copies restore left in {@code store} ({@code <TARGET>.pre-restore-<time>}), newest
   * first; only those of targets whose stem is {@code stem} if given. They pile up, one per restore,
   * until someone removes them: the listing is where they are seen.
   */
  public List<ListResult.SafetyCopy> safetyCopies(BackupStore store, Optional<String> stem) {
    List<ListResult.SafetyCopy> copies = new ArrayList<>();
    try {
      for (BackupStore.StoredFile f : store.list()) {
        SafetyCopyName.parse(f.name())
            .filter(n -> stem.isEmpty() || stem.get().equals(n.targetStem()))
            .ifPresent(n -> copies.add(new ListResult.SafetyCopy(n.name(), n.target(), n.savedAt(), f.size())));
      }
    } catch (IOException e) {
      throw Failures.store("cannot list directory", store, e);
    }
    copies.sort(Comparator.comparing(ListResult.SafetyCopy::savedAt).reversed()
        .thenComparing(ListResult.SafetyCopy::file));
    return copies;
  }

  /** The backups in {@code store} by series; only those named {@code stem} if given. */
  public List<ListResult.Group> groups(BackupStore store, Optional<String> stem) {
    List<SeriesListing.Group> read;
    try {
      read = SeriesListing.read(store, stem);
    } catch (IOException e) {
      throw Failures.store("cannot list directory", store, e);
    }
    List<ListResult.Group> groups = new ArrayList<>();
    for (SeriesListing.Group g : read) {
      List<ListResult.Listed> listed = new ArrayList<>();
      for (SeriesListing.Entry e : g.newestFirst()) {
        listed.add(listed(e));
      }
      groups.add(new ListResult.Group(g.series(), listed));
    }
    return groups;
  }

  /** One entry as listed: what the sidecar says where it says it, else what the name says. */
  private static ListResult.Listed listed(SeriesListing.Entry e) {
    Optional<Provenance> p = e.provenance();
    Instant snapshot = p.map(Provenance::snapshot).orElse(e.backup().time());
    Optional<String> sha256 = e.sidecar().filter(s -> s.holdsSha256()).map(s -> s.sha256());
    ListResult.Sidecar sidecar = e.sidecar().isPresent() ? ListResult.Sidecar.PRESENT : ListResult.Sidecar.MISSING;
    return new ListResult.Listed(e.backup().name(), snapshot, e.bytes(), p.map(Provenance::kind),
        Compression.ofName(e.backup().name()), sidecar, sha256,
        e.backup().name().toLowerCase(java.util.Locale.ROOT).endsWith(Compression.AGE_SUFFIX));
  }
}
