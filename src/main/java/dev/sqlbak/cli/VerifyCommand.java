package dev.sqlbak.cli;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.VerifyOutput;
import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.VerifyEngine;
import dev.sqlbak.engine.VerifyRequest;
import dev.sqlbak.storage.Location;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sqlbak verify BACKUP|DIR...}: is every backup still good? */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Check backups: integrity_check, the .sha256 sidecar when present, optionally a comparison"
          + " with the source (--against) and assertions run read-only on each backup (--assert).",
      "",
      "A DIR stands for the backups in it (sqlbak's timestamped names; sidecars and other files are"
          + " skipped), series by series, newest first; --latest checks only the newest backup of"
          + " each series. A DIR without backups fails the run (exit 1).",
      "",
      "One line per file on stderr. Exit 3 if any file is bad (including one that is not a"
          + " database), else 1 if any could not be read, else 0.",
      ""
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(arity = "1..*", paramLabel = "BACKUP|DIR", converter = LocationConverter.class,
      description = "Backup files, or folders of backups, to verify; s3://bucket/key for an object,"
          + " s3://bucket/prefix/ for the backups under a prefix.")
  List<Location> backups = new ArrayList<>();

  @Mixin S3Flags s3;

  @Option(names = "--latest",
      description = "Of each DIR, verify only the newest backup of each series; file arguments are verified"
          + " as given. Needs at least one DIR (else exit 2).")
  boolean latest;

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

  @Mixin IdentityFlags identity;

  @Option(names = "--json", description = "Print the results as one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    List<Verdict> verdicts = new VerifyEngine().verify(
        new VerifyRequest(backups, check, against, assertions, busyTimeout,
            latest ? VerifyRequest.Selection.LATEST : VerifyRequest.Selection.EVERY, s3.options(), identity.files));
    VerifyOutput.print(spec.commandLine().getOut(), spec.commandLine().getErr(), verdicts, json, common.quiet);
    return exitCode(verdicts).code();
  }

  /** Any bad file outranks an unreadable one: a bad backup is the finding verify exists for. */
  private static ExitCode exitCode(List<Verdict> verdicts) {
    boolean unreadable = false;
    for (Verdict v : verdicts) {
      if (v.status() == Verdict.Status.BAD) {
        return ExitCode.BAD_BACKUP;
      }
      unreadable |= v.status() != Verdict.Status.OK;
    }
    return unreadable ? ExitCode.FAILURE : ExitCode.OK;
  }
}
