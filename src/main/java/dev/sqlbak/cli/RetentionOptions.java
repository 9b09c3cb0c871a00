package dev.sqlbak.cli;

import dev.sqlbak.retention.RetentionPolicy;
import picocli.CommandLine.Option;

/** The --keep-* retention options, shared by prune and by backup into a directory. */
final class RetentionOptions {
  @Option(names = "--keep-last", paramLabel = "N", description = "Keep the N newest backups.")
  Integer keepLast;

  @Option(names = "--keep-daily", paramLabel = "N",
      description = "Keep the newest backup of each of the N most recent UTC days that have backups.")
  Integer keepDaily;

  @Option(names = "--keep-weekly", paramLabel = "N",
      description = "Likewise for ISO weeks (Monday to Sunday, UTC).")
  Integer keepWeekly;

  @Option(names = "--keep-monthly", paramLabel = "N", description = "Likewise for calendar months (UTC).")
  Integer keepMonthly;

  /** Whether any --keep-* option was given. */
  boolean given() {
    return keepLast != null || keepDaily != null || keepWeekly != null || keepMonthly != null;
  }

  /** The policy the options describe; a usage error when none or a bad value was given. */
  RetentionPolicy policy() {
    return new RetentionPolicy(keepLast, keepDaily, keepWeekly, keepMonthly);
  }
}
