package dev.sqlbak.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.JsonOutput;
import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.VerifyEngine;
import dev.sqlbak.engine.VerifyRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sqlbak verify BACKUP...}: is every backup still good? */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Check backups: integrity_check, the .sha256 sidecar when present, optionally a comparison"
          + " with the source (--against) and assertions run read-only on each backup (--assert).",
      "",
      "One line per file on stderr. Exit 3 if any file is bad (including one that is not a"
          + " database), else 1 if any could not be read, else 0.",
      ""
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(arity = "1..*", paramLabel = "BACKUP", description = "Backup files to verify.")
  List<Path> backups = new ArrayList<>();

  @Option(names = "--check", paramLabel = "full|quick|none", defaultValue = VerifyRequest.DEFAULT_CHECK,
      completionCandidates = DocumentedValues.VerifyCheck.class,
      description = "full: PRAGMA integrity_check; quick: PRAGMA quick_check; none. Default: ${DEFAULT-VALUE}.")
  CheckLevel check;

  @Option(names = "--against", paramLabel = "SOURCE",
      description = "Compare each backup with SOURCE: schema, row counts and a content digest per table.")
  Path against;

  @Option(names = "--assert", paramLabel = "SQL",
      description = "A query run read-only on each backup that must return a first row whose first"
          + " column is true/non-zero (repeatable), e.g. \"SELECT count(*) > 0 FROM users\".")
  List<String> assertions = new ArrayList<>();

  @Option(names = "--busy-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = BackupRequest.DEFAULT_BUSY_TIMEOUT,
      description = "How long to wait for a lock on --against SOURCE. Default: ${DEFAULT-VALUE}.")
  Duration busyTimeout;

  @Option(names = "--json", description = "Print the results as one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    List<Verdict> verdicts = new VerifyEngine().verify(
        new VerifyRequest(backups, check, against, assertions, busyTimeout));
    PrintWriter err = spec.commandLine().getErr();
    boolean bad = false;
    boolean unreadable = false;
    for (Verdict v : verdicts) {
      switch (v.status()) {
        case OK:
          if (!common.quiet) {
            err.printf(Locale.ROOT, "%s: ok (%s)%n", v.file(), String.join(", ", v.checks()));
          }
          break;
        case BAD:
          bad = true;
          err.println("sqlbak: bad backup: " + v.file() + ": " + summary(v.problems()));
          break;
        default:
          unreadable = true;
          err.println("sqlbak: cannot read backup: " + v.file() + ": " + summary(v.problems()));
      }
    }
    err.flush();
    if (json) {
      JsonArray results = new JsonArray();
      for (Verdict v : verdicts) {
        JsonObject o = new JsonObject();
        o.addProperty("file", v.file().toString());
        o.addProperty("ok", v.ok());
        o.addProperty("status", v.status().name().toLowerCase(Locale.ROOT));
        o.add("problems", JsonOutput.strings(v.problems()));
        o.add("checks", JsonOutput.strings(v.checks()));
        results.add(o);
      }
      JsonObject root = new JsonObject();
      root.add("results", results);
      JsonOutput.print(spec.commandLine().getOut(), root);
    }
    return (bad ? ExitCode.BAD_BACKUP : unreadable ? ExitCode.FAILURE : ExitCode.OK).code();
  }

  private static String summary(List<String> problems) {
    String first = problems.get(0).replace('\n', ' ');
    return problems.size() == 1 ? first : first + " (and " + (problems.size() - 1) + " more)";
  }
}
