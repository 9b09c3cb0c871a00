package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ConsoleProgress;
import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.engine.RestoreRequest;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of every command that copies pages with the backup API (backup, restore). */
final class CopyOptions {
  /** Progress display choices. */
  enum ProgressMode { AUTO, BAR, PLAIN, NONE }

  @Option(names = {"-p", "--pages"}, paramLabel = "N",
      description = "Pages per backup step; -1 copies everything in one step. Default: automatic "
          + "(" + (BackupRequest.AUTOMATIC_STEP_BYTES >> 20) + " MiB per step for backup, "
          + (RestoreRequest.AUTOMATIC_STEP_BYTES >> 20) + " MiB for restore, which is stopped only between"
          + " steps; at least " + BackupRequest.MIN_AUTOMATIC_PAGES + " pages).")
  Integer pages;

  @Option(names = "--busy-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = BackupRequest.DEFAULT_BUSY_TIMEOUT,
      description = "How long to wait for a lock (500ms, 5s, 2m, PT5S). Default: ${DEFAULT-VALUE}.")
  Duration busyTimeout;

  @Option(names = "--progress", paramLabel = "auto|bar|plain|none", defaultValue = "auto",
      completionCandidates = DocumentedValues.Progress.class,
      description = "auto: a bar on a terminal, nothing otherwise; bar; plain: one "
          + "'copied X of Y pages' line per step; none. Default: ${DEFAULT-VALUE}.")
  ProgressMode progress;

  /** The listener that shows progress as chosen; nothing when quiet or not wanted. */
  ProgressListener listener(PrintWriter err, boolean quiet, boolean terminal, boolean severalSchemas) {
    ProgressMode mode = quiet ? ProgressMode.NONE : progress;
    if (mode == ProgressMode.AUTO) {
      mode = terminal ? ProgressMode.BAR : ProgressMode.NONE;
    }
    switch (mode) {
      case BAR:
        return new ConsoleProgress(err, ConsoleProgress.Style.BAR, severalSchemas);
      case PLAIN:
        return new ConsoleProgress(err, ConsoleProgress.Style.PLAIN, severalSchemas);
      default:
        return ProgressListener.NONE;
    }
  }
}
