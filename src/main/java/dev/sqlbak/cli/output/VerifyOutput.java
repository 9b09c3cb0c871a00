package dev.sqlbak.cli.output;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sqlbak.check.Verdict;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Renders verify's verdicts: one line per file on stderr, then --json on stdout. */
public final class VerifyOutput {
  private VerifyOutput() {}

  /** Prints every verdict; a bad or unreadable file is reported even under --quiet. */
  public static void print(PrintWriter out, PrintWriter err, List<Verdict> verdicts, boolean json, boolean quiet) {
    for (Verdict v : verdicts) {
      switch (v.status()) {
        case OK:
          if (!quiet) {
            err.printf(Locale.ROOT, "%s: ok (%s%s)%n", v.file(), String.join(", ", v.checks()),
                v.hint().map(h -> "; " + h).orElse(""));
          }
          break;
        case BAD:
          err.println("sqlbak: bad backup: " + v.file() + ": " + summary(v.problems())
              + v.hint().map(h -> "; " + h).orElse(""));
          break;
        case NO_BACKUPS:
          // A nightly job that verifies an empty folder must not pass: the backups it expects are missing.
          err.println("sqlbak: no backups found: " + v.file()
              + "; verify looks for <name>-<yyyyMMdd'T'HHmmss'Z'>.db[.gz|.zst][.age] files in a folder");
          break;
        default:
          err.println("sqlbak: cannot read backup: " + v.file() + ": " + summary(v.problems()));
      }
    }
    err.flush();
    if (json) {
      JsonOutput.print(out, json(verdicts));
    }
  }

  /** The --json shape of verify's verdicts: {@code {"results": [...]}}, one object per file. */
  public static JsonObject json(List<Verdict> verdicts) {
    JsonArray results = new JsonArray();
    for (Verdict v : verdicts) {
      JsonObject o = new JsonObject();
      o.addProperty("file", v.file().toString());
      o.addProperty("ok", v.ok());
      o.addProperty("status", v.status().name().toLowerCase(Locale.ROOT));
      o.add("problems", JsonOutput.strings(v.problems()));
      o.add("checks", JsonOutput.strings(v.checks()));
      o.addProperty("hint", v.hint().orElse(null));
      results.add(o);
    }
    JsonObject root = new JsonObject();
    root.add("results", results);
    return root;
  }

  /** The first problem on one line, since a verdict line must stay one line per file. */
  private static String summary(List<String> problems) {
    String first = problems.get(0).replace('\n', ' ');
    return problems.size() == 1 ? first : first + " (and " + (problems.size() - 1) + " more)";
  }
}
