package dev.sqlbak.engine;

import dev.sqlbak.payload.Compression;
import dev.sqlbak.retention.Series;
import dev.sqlbak.storage.Location;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The backups in a folder grouped by series, as their names and sidecars describe them, and the
 * safety copies restore left there.
 *
 * @param folder the folder listed
 * @param stem the name the listing was limited to, if it was
 * @param groups the series, sorted by {@link Series#ORDER}
 * @param safetyCopies restore's saved previous contents of targets in the folder, newest first
 */
public record ListResult(Location folder, Optional<String> stem, List<Group> groups, List<SafetyCopy> safetyCopies) {
  public ListResult {
    groups = List.copyOf(groups);
    safetyCopies = List.copyOf(safetyCopies);
  }

  /** A listing of backups only. */
  public ListResult(Location folder, Optional<String> stem, List<Group> groups) {
    this(folder, stem, groups, List.of());
  }

  /**
   * One {@code <TARGET>.pre-restore-<time>} file: a target's content as it was before a restore,
   * kept until its owner removes it (nothing prunes it).
   *
   * @param file its file name in the folder
   * @param target the file name of the target it was saved from
   * @param savedAt when it was saved, from its name
   * @param bytes its size
   */
  public record SafetyCopy(String file, String target, Instant savedAt, long bytes) {}

  /**
   * One series and its backups.
   *
   * @param series its name, source and part
   * @param newestFirst its backups, newest first
   */
  public record Group(Series series, List<Listed> newestFirst) {
    public Group {
      newestFirst = List.copyOf(newestFirst);
    }
  }

  /**
   * One backup as the listing shows it.
   *
   * @param file its file name in the folder
   * @param snapshotTime the moment it is of: its sidecar's snapshot time, else the time in its name
   * @param bytes its size as stored (compressed if compressed)
   * @param kind {@code full}, {@code compact} or {@code tables: a, b}, if its sidecar says
   * @param compression how it is stored, from its name
   * @param sidecar whether a {@code .sha256} sidecar is beside it
   * @param sha256 the hash its sidecar holds, if it holds one
   * @param encrypted whether it is an age file, from its name ({@code .age})
   */
  public record Listed(String file, Instant snapshotTime, long bytes, Optional<String> kind, Compression compression,
      Sidecar sidecar, Optional<String> sha256, boolean encrypted) {}

  /** Whether a backup has its {@code .sha256} sidecar beside it. */
  public enum Sidecar {
    /** The sidecar is there (whatever it holds). */
    PRESENT,
    /** No sidecar: a hand-made copy, or one whose sidecar was lost. */
    MISSING
  }

  /** Whether the listing found no backups at all. */
  public boolean empty() {
    return groups.isEmpty();
  }
}
