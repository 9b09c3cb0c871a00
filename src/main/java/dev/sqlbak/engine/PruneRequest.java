package dev.sqlbak.engine;

import dev.sqlbak.retention.RetentionPolicy;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Options;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Which backups to prune and by which rules; the single home of prune defaults: a rule that is
 * null is not applied, a null stem means every stem in the folder, and nothing is removed in a dry run.
 *
 * @param folder the folder or S3 prefix that holds the backups
 * @param keepLast see {@link RetentionPolicy#keepLast()}
 * @param keepDaily see {@link RetentionPolicy#keepDaily()}
 * @param keepWeekly see {@link RetentionPolicy#keepWeekly()}
 * @param keepMonthly see {@link RetentionPolicy#keepMonthly()}
 * @param stem prune only the backups of this stem, or null for every stem, each on its own
 * @param dryRun report what would be removed, remove nothing
 * @param s3 how to reach S3, for an {@code s3://} folder
 */
public record PruneRequest(
    Location folder, Integer keepLast, Integer keepDaily, Integer keepWeekly, Integer keepMonthly, String stem,
    boolean dryRun, S3Options s3) {

  public PruneRequest {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(s3, "s3");
    new RetentionPolicy(keepLast, keepDaily, keepWeekly, keepMonthly); // validates the counts
    if (stem != null) {
      BackupFolder.requireStem(stem);
    }
  }

  /** A prune of the local {@code folder}, S3 options left to their defaults. */
  public PruneRequest(Path folder, Integer keepLast, Integer keepDaily, Integer keepWeekly, Integer keepMonthly,
      String stem, boolean dryRun) {
    this(Location.of(folder), keepLast, keepDaily, keepWeekly, keepMonthly, stem, dryRun, S3Options.DEFAULTS);
  }

  /** Prunes every stem in {@code folder} by {@code retention}, for real. */
  public static PruneRequest of(Path folder, RetentionPolicy retention) {
    return new PruneRequest(folder, retention.keepLast(), retention.keepDaily(), retention.keepWeekly(),
        retention.keepMonthly(), null, false);
  }

  /** The rules as one policy. */
  public RetentionPolicy retention() {
    return new RetentionPolicy(keepLast, keepDaily, keepWeekly, keepMonthly);
  }

  public PruneRequest withStem(String newStem) {
    return new PruneRequest(folder, keepLast, keepDaily, keepWeekly, keepMonthly, newStem, dryRun, s3);
  }

  public PruneRequest withDryRun(boolean newDryRun) {
    return new PruneRequest(folder, keepLast, keepDaily, keepWeekly, keepMonthly, stem, newDryRun, s3);
  }
}
