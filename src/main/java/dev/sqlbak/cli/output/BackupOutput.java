package dev.sqlbak.cli.output;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.engine.BackupCopy;
import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.BackupResult;
import dev.sqlbak.sqlite.TableRows;
import dev.sqlbak.storage.Location;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a backup's result: --json on stdout, a line per copy and the timing on stderr. */
public final class BackupOutput {
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;
  private final boolean quiet;

  /** A renderer onto {@code out} and {@code err}, as --json and --quiet ask. */
  public BackupOutput(PrintWriter out, PrintWriter err, boolean json, boolean quiet) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.quiet = quiet;
  }

  /** Prints what the backup of {@code request} did. */
  public void print(BackupRequest request, BackupResult result) {
    if (json) {
      JsonOutput.print(out, BackupJson.of(result));
    }
    for (BackupCopy copy : result.copies()) {
      if (request.toMemory() && !json) {
        // The summary is the data this mode produces, so it goes to stdout even with --quiet.
        memorySummary(copy);
      } else if (!quiet) {
        copyLine(request, copy);
      }
    }
    for (String warning : result.warnings()) {
      // Even under --quiet: each says the folder is not in the shape its owner expects.
      err.println("sqlbak: warning: " + warning);
    }
    if (!quiet) {
      for (Location removed : result.pruned()) {
        err.println("removed " + removed);
      }
      err.printf(Locale.ROOT, "done in %.2f s%n", result.elapsed().toMillis() / 1000.0);
    }
    out.flush();
    err.flush();
  }

  private void memorySummary(BackupCopy copy) {
    out.printf(Locale.ROOT, "# %s: %s, %d pages of %d bytes, %s%n",
        copy.schema(), copy.sourceFile(), copy.pageCount(), copy.pageSize(), checked(copy));
    for (TableRows t : copy.tables()) {
      out.println(t.name() + "\t" + (t.rows() < 0 ? "?" : String.valueOf(t.rows())));
    }
  }

  private void copyLine(BackupRequest request, BackupCopy copy) {
    err.printf(Locale.ROOT, "backed up %s%s to %s: %d pages, %s, %s%s%n",
        copy.sourceFile(), request.schemas().size() > 1 ? " (" + copy.schema() + ")"
            : request.tables().isEmpty() ? "" : " (" + tableNames(copy) + ")",
        copy.destination() == null ? "standard output" : copy.destination(), copy.pageCount(),
        ByteSize.human(copy.bytes()), checked(copy), encrypted(copy));
  }

  /** Said on the summary line, so that a log shows a backup was encrypted as asked. */
  private static String encrypted(BackupCopy copy) {
    int n = copy.recipients();
    return n == 0 ? "" : ", encrypted with age to " + n + (n == 1 ? " recipient" : " recipients");
  }

  private static String checked(BackupCopy copy) {
    return copy.check() == CheckLevel.NONE ? "not checked" : copy.check().pragma() + " ok";
  }

  private static String tableNames(BackupCopy copy) {
    List<String> names = new ArrayList<>();
    for (TableRows t : copy.tables()) {
      names.add(t.name());
    }
    return (names.size() == 1 ? "table " : "tables ") + String.join(", ", names);
  }
}
