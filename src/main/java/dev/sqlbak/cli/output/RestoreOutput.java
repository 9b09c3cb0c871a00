package dev.sqlbak.cli.output;

import com.google.gson.JsonObject;
import dev.sqlbak.engine.RestoreResult;
import java.io.PrintWriter;
import java.util.Locale;

/** Renders a restore's result: --json on stdout, then one "restored" line on stderr. */
public final class RestoreOutput {
  private RestoreOutput() {}

  /** Prints what the restore did, as --json and --quiet ask. */
  public static void print(PrintWriter out, PrintWriter err, RestoreResult result, boolean json, boolean quiet) {
    if (json) {
      JsonOutput.print(out, json(result));
    }
    for (String warning : result.warnings()) {
      err.println("sqlbak: warning: " + warning); // even under --quiet
    }
    if (!quiet) {
      err.printf(Locale.ROOT, "restored %s into %s: %d pages%s%n", result.backup(), result.target(),
          result.pageCount(),
          result.safetyCopy() == null ? "" : "; previous content saved as " + result.safetyCopy());
      err.flush();
    }
  }

  /** The --json shape of a restore. */
  public static JsonObject json(RestoreResult result) {
    JsonObject o = new JsonObject();
    o.addProperty("backup", result.backup().toString());
    o.addProperty("target", result.target().toString());
    o.addProperty("safetyCopy", result.safetyCopy() == null ? null : result.safetyCopy().toString());
    o.addProperty("created", result.created());
    o.addProperty("pageSize", result.pageSize());
    o.addProperty("pageCount", result.pageCount());
    o.addProperty("durationMs", result.elapsed().toMillis());
    com.google.gson.JsonArray warnings = new com.google.gson.JsonArray();
    result.warnings().forEach(warnings::add);
    o.add("warnings", warnings);
    return o;
  }
}
