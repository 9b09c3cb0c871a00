package dev.sqlbak.cli.output;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sqlbak.engine.PruneRequest;
import dev.sqlbak.engine.PruneResult;
import dev.sqlbak.engine.StemPrune;
import java.io.PrintWriter;
import dev.sqlbak.storage.Location;
import java.util.function.Consumer;

/** Renders a prune: each removal as it happens, then warnings on stderr and --json on stdout. */
public final class PruneOutput {
  private PruneOutput() {}

  /** Says each file as it is removed (in a dry run: would be), unless quiet. */
  public static Consumer<Location> removals(PrintWriter err, PruneRequest request, boolean quiet) {
    String verb = request.dryRun() ? "would remove " : "removed ";
    return file -> {
      if (!quiet) {
        err.println(verb + file);
      }
    };
  }

  /** Prints the warnings (even under --quiet), then the result as JSON if asked. */
  public static void print(PrintWriter out, PrintWriter err, PruneRequest request, PruneResult result,
      boolean json) {
    warn(err, request, result);
    if (json) {
      JsonOutput.print(out, json(result));
    }
    err.flush();
  }

  /** The --json shape of a prune. */
  public static JsonObject json(PruneResult result) {
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
    return root;
  }

  /** Each warning says a backup set is not in the shape its owner expects. */
  private static void warn(PrintWriter err, PruneRequest request, PruneResult result) {
    if (request.stem() != null && result.stems().isEmpty()) {
      err.println("sqlbak: warning: no backups of stem " + request.stem() + " in " + result.folder());
    } else if (result.stems().isEmpty()) {
      // As list says: an S3 prefix with a typo is empty, not missing, and a cron job should hear it.
      err.println("sqlbak: warning: no backups in " + result.folder());
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
