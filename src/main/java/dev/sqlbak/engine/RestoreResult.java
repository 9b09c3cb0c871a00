package dev.sqlbak.engine;

import dev.sqlbak.storage.Location;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a restore did.
 *
 * @param backup the backup that was restored
 * @param target the database that now holds the backup's content
 * @param safetyCopy where the target's previous content (or a damaged target's bytes) was saved, or null
 * @param written how the target was written
 * @param damage what was wrong with the target, when {@code written} is {@link Written#REPLACED_DAMAGED}; else null
 * @param pageCount pages restored
 * @param pageSize bytes per page
 * @param elapsed wall time of the whole run
 * @param warnings what the user should know although the restore succeeded
 */
public record RestoreResult(Location backup, Path target, Path safetyCopy, Written written, TargetDamage damage,
    long pageCount, long pageSize, Duration elapsed, List<String> warnings) {

  /** How a restore wrote its target. */
  public enum Written {
    /** The target did not exist: it appeared complete, at once. */
    NEW_FILE,
    /** A sound target was written in place through SQLite's online backup API. */
    ONLINE,
    /** A damaged target was replaced by a new file renamed over it. */
    REPLACED_DAMAGED
  }

  public RestoreResult {
    if ((written == Written.REPLACED_DAMAGED) != (damage != null)) {
      throw new IllegalArgumentException("a damage goes with a replaced damaged target, and only with it");
    }
  }

  /** This result, saying {@code newWarnings} instead. */
  public RestoreResult withWarnings(List<String> newWarnings) {
    return new RestoreResult(backup, target, safetyCopy, written, damage, pageCount, pageSize, elapsed,
        List.copyOf(newWarnings));
  }

  /** Whether the target did not exist before. */
  public boolean created() {
    return written == Written.NEW_FILE;
  }
}
