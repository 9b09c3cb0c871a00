package dev.sqlbak.cli.output;

import com.google.gson.JsonObject;
import dev.sqlbak.engine.RestoreResult;
import dev.sqlbak.engine.TargetDamage;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders a restore's result: --json on stdout, then one "restored" line on stderr; with --quiet,
 * a replaced damaged target is still one warning line, since its bytes moved.
 */
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
          result.pageCount(), result.damage() != null ? "; " + damaged(result)
              : result.safetyCopy() == null ? "" : "; previous content saved as " + result.safetyCopy());
    } else if (result.damage() != null) {
      // Not just information: the file the application used is gone, and a cron job's log must say where.
      err.printf(Locale.ROOT, "sqlbak: warning: restored %s into %s: %s%n", result.backup(), result.target(),
          damaged(result));
    }
    err.flush();
  }

  /** The clause about a damaged target: what was wrong, and where its bytes went. */
  private static String damaged(RestoreResult result) {
    String what = "the target was damaged (" + result.damage().describe() + ") and was replaced";
    if (result.safetyCopy() != null) {
      return what + "; its bytes were saved as " + result.safetyCopy();
    }
    return result.damage().kind() == TargetDamage.Kind.EMPTY ? what
        : what + "; its bytes were not kept (--no-safety-copy)";
  }

  /** The --json shape of a restore. */
  public static JsonObject json(RestoreResult result) {
    JsonObject o = new JsonObject();
    o.addProperty("backup", result.backup().toString());
    o.addProperty("target", result.target().toString());
    o.addProperty("safetyCopy", result.safetyCopy() == null ? null : result.safetyCopy().toString());
    o.addProperty("created", result.created());
    o.addProperty("targetWasDamaged", result.damage() != null);
    if (result.damage() == null) {
      o.add("targetDamage", com.google.gson.JsonNull.INSTANCE);
    } else {
      JsonObject d = new JsonObject();
      d.addProperty("kind", result.damage().kind().jsonName());
      d.addProperty("detail", result.damage().detail());
      o.add("targetDamage", d);
    }
    o.addProperty("pageSize", result.pageSize());
    o.addProperty("pageCount", result.pageCount());
    o.addProperty("durationMs", result.elapsed().toMillis());
    com.google.gson.JsonArray warnings = new com.google.gson.JsonArray();
    result.warnings().forEach(warnings::add);
    o.add("warnings", warnings);
    return o;
  }
}
