package dev.sqlbak.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Which backup to restore into which database, and how; the single home of restore defaults.
 *
 * @param backup where the backup comes from (a file, or a stream such as standard input), checked
 *     before anything is touched
 * @param target the database that receives the backup's content
 * @param force whether an existing target may be overwritten
 * @param safetyCopy whether an existing target's content is first saved beside it
 * @param pagesPerStep pages per backup step, {@link BackupRequest#ALL_PAGES}, or null for automatic
 * @param busyTimeout how long to wait for a lock on the target
 * @param identities age identity files ({@code --identity}) that open an encrypted backup; none
 *     by default, and then an encrypted backup is refused
 */
public record RestoreRequest(BackupOrigin backup, Path target, boolean force, boolean safetyCopy,
    Integer pagesPerStep, Duration busyTimeout, List<Path> identities) {

  /**
   * Automatic step size, in bytes: smaller than a backup's, since a restore is stopped (SIGINT,
   * SIGTERM) only between two steps; 16 MiB takes some 10-20 ms here, and restoring 235 MiB took
   * the same time with 192 MiB steps and with 16 MiB ones (2.9-3.1 s either way).
   */
  public static final long AUTOMATIC_STEP_BYTES = 16L << 20;

  public RestoreRequest {
    java.util.Objects.requireNonNull(backup, "backup");
    busyTimeout = busyTimeout == null ? DurationText.parse(BackupRequest.DEFAULT_BUSY_TIMEOUT) : busyTimeout;
    identities = identities == null ? List.of() : List.copyOf(identities);
    // The same validation as backup's.
    new BackupRequest(Path.of(backup.shownAs().fileName()), null, null, null, pagesPerStep, null, busyTimeout, false, null, null, false,
        null, null);
  }

  /** A restore of the backup file {@code backup}, as the canonical constructor otherwise. */
  public RestoreRequest(Path backup, Path target, boolean force, boolean safetyCopy, Integer pagesPerStep,
      Duration busyTimeout) {
    this(BackupOrigin.file(backup), target, force, safetyCopy, pagesPerStep, busyTimeout, List.of());
  }

  /** Restores {@code backup} into {@code target} with every default (no force, with safety copy). */
  public static RestoreRequest of(Path backup, Path target) {
    return of(BackupOrigin.file(backup), target);
  }

  /** Restores the backup from {@code backup} into {@code target} with every default. */
  public static RestoreRequest of(BackupOrigin backup, Path target) {
    return new RestoreRequest(backup, target, false, true, null, null, List.of());
  }

  public RestoreRequest withForce(boolean newForce) {
    return new RestoreRequest(backup, target, newForce, safetyCopy, pagesPerStep, busyTimeout, identities);
  }

  public RestoreRequest withSafetyCopy(boolean newSafetyCopy) {
    return new RestoreRequest(backup, target, force, newSafetyCopy, pagesPerStep, busyTimeout, identities);
  }

  public RestoreRequest withBusyTimeout(Duration newBusyTimeout) {
    return new RestoreRequest(backup, target, force, safetyCopy, pagesPerStep, newBusyTimeout, identities);
  }

  public RestoreRequest withPages(Integer newPagesPerStep) {
    return new RestoreRequest(backup, target, force, safetyCopy, newPagesPerStep, busyTimeout, identities);
  }

  public RestoreRequest withIdentities(List<Path> newIdentities) {
    return new RestoreRequest(backup, target, force, safetyCopy, pagesPerStep, busyTimeout, newIdentities);
  }

  int stepFor(long pageSize) {
    if (pagesPerStep != null) {
      return pagesPerStep;
    }
    return (int) Math.max(BackupRequest.MIN_AUTOMATIC_PAGES, AUTOMATIC_STEP_BYTES / Math.max(512, pageSize));
  }
}
