package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.PruneOutput;
import dev.sqlbak.engine.PruneEngine;
import dev.sqlbak.engine.PruneRequest;
import dev.sqlbak.engine.PruneResult;
import java.io.PrintWriter;
import dev.sqlbak.storage.Location;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sqlbak prune DIR}: removes old backups by retention rules, each stem on its own. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Remove old backups from DIR by retention rules. Only sqlbak's own"
          + " <stem>-<UTC yyyyMMdd'T'HHmmss'Z'>.db[.gz|.zst][.age] files and their .sha256 sidecars are"
          + " ever removed; each stem is pruned on its own; age comes from the name, not mtime.",
      "",
      "A backup kept by any --keep-* rule is kept (at least one rule is required; 0 keeps nothing"
          + " by that rule). The newest backup of each stem that passes a quick check is never removed.",
      ""
    })
final class PruneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "DIR", converter = LocationConverter.class,
      description = "The folder that holds the backups, or an S3 prefix: s3://bucket/prefix/.")
  Location folder;

  @Mixin S3Flags s3;

  @Mixin RetentionOptions keep;

  @Option(names = "--stem", paramLabel = "NAME",
      description = "Prune only the backups of this stem (app for app-20261124T030000Z.db).")
  String stem;

  @Option(names = "--dry-run", description = "List what would be removed; remove nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    PruneRequest request = new PruneRequest(folder, keep.keepLast, keep.keepDaily, keep.keepWeekly,
        keep.keepMonthly, stem, dryRun, s3.options());
    PrintWriter err = spec.commandLine().getErr();
    PruneResult result = new PruneEngine().prune(request, PruneOutput.removals(err, request, common.quiet));
    PruneOutput.print(spec.commandLine().getOut(), err, request, result, json);
    return ExitCode.OK.code();
  }
}
