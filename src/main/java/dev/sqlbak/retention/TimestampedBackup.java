package dev.sqlbak.retention;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One of sqlbak's timestamped backups, as its name describes it ({@link BackupNames#parse}); a name
 * in a store, never a path, so that retention works the same wherever backups are kept.
 *
 * @param name the backup's file name, without any folder
 * @param stem the part of the name before the last {@code -<timestamp>}
 * @param time the moment in the name (its age comes from the name, never from mtime)
 */
public record TimestampedBackup(String name, String stem, Instant time) {
  /**
   * Newest first: the later timestamp first; two files of the same second (such as {@code .db} and
   * {@code .db.gz}) by name, descending, so that every ordering decision is deterministic.
   */
  public static final Comparator<TimestampedBackup> NEWEST_FIRST =
      Comparator.comparing(TimestampedBackup::time).thenComparing(TimestampedBackup::name).reversed();

  public TimestampedBackup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stem, "stem");
    Objects.requireNonNull(time, "time");
  }
}
