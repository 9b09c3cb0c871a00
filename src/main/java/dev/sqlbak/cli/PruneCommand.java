package dev.sqlbak.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.JsonOutput;
import dev.sqlbak.engine.PruneEngine;
import dev.sqlbak.engine.PruneRequest;
import dev.sqlbak.engine.PruneResult;
import dev.sqlbak.engine.StemPrune;
import java.io.PrintWriter;
import java.nio.file.Path;
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
          + " <stem>-<UTC yyyyMMdd'T'HHmmss'Z'>.db[.gz|.zst] files and their .sha256 sidecars are"
          + " ever removed; each stem is pruned on its own; age comes from the name, not mtime.",
      "",
      "A backup kept by any --keep-* rule is kept (at least one rule is required; 0 keeps nothing"
          + " by that rule). The newest backup of each stem that passes a quick check is never removed.",
      ""
    })
final class PruneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "DIR", description = "The folder that holds the backups.")
  Path folder;

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
        keep.keepMonthly, stem, dryRun);
    PrintWriter err = spec.commandLine().getErr();
    String verb = dryRun ? "would remove " : "removed ";
    PruneResult result = new PruneEngine().prune(request, file -> {
      if (!common.quiet) {
        err.println(verb + file);
      }
    });
    warn(err, request, result);
    if (json) {
      JsonArray stems = new JsonArray();
      for (StemPrune s : result.stems()) {
        JsonObject o = new JsonObject();
        o.addProperty("stem", s.stem());
        o.add("kept", JsonOutput.strings(s.kept()));
        o.add("removed", JsonOutput.strings(s.removed()));
        o.addProperty("newestGood", s.newestGood() == null ? null : s.newestGood().toString());
        stems.add(o);
      }
      JsonObject root = new JsonObject();
      root.addProperty("dir", result.folder().toString());
      root.addProperty("dryRun", result.dryRun());
      root.add("stems", stems);
      JsonOutput.print(spec.commandLine().getOut(), root);
    }
    err.flush();
    return ExitCode.OK.code();
  }

  /** Warnings even under --quiet: each says a backup set is not in the shape its owner expects. */
  private static void warn(PrintWriter err, PruneRequest request, PruneResult result) {
    if (request.stem() != null && result.stems().isEmpty()) {
      err.println("sqlbak: warning: no backups of stem " + request.stem() + " in " + result.folder());
    }
    for (StemPrune s : result.stems()) {
      if (s.newestGood() == null) {
        err.println("sqlbak: warning: no backup of stem " + s.stem() + " in " + result.folder()
            + " passes a quick check; only the --keep-* rules decided what stays");
      } else if (!s.newestGood().equals(s.newest())) {
        err.println("sqlbak: warning: the newest backup of stem " + s.stem() + ", " + s.newest()
            + ", fails a quick check; " + s.newestGood() + ", the newest that passes, is kept too");
      }
    }
  }
}
