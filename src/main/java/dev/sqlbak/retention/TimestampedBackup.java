package dev.sqlbak.retention;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One of sqlbak's timestamped backups, as its name describes it ({@link BackupNames#parse}).
 *
 * @param file the backup file
 * @param stem the part of the name before the last {@code -<timestamp>}
 * @param time the moment in the name (its age comes from the name, never from mtime)
 */
public record TimestampedBackup(Path file, String stem, Instant time) {
  /**
   * Newest first: the later timestamp first; two files of the same second (such as {@code .db} and
   * {@code .db.gz}) by name, descending, so that every ordering decision is deterministic.
   */
  public static final Comparator<TimestampedBackup> NEWEST_FIRST =
      Comparator.comparing(TimestampedBackup::time).thenComparing(TimestampedBackup::name).reversed();

  public TimestampedBackup {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(stem, "stem");
    Objects.requireNonNull(time, "time");
  }

  /** The file's name without its folder. */
  public String name() {
    return file.getFileName().toString();
  }
}
