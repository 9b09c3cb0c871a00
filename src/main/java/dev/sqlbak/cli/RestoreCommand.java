package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.RestoreOutput;
import dev.sqlbak.engine.Interruptions;
import dev.sqlbak.engine.BackupOrigin;
import dev.sqlbak.engine.RestoreEngine;
import dev.sqlbak.engine.RestoreRequest;
import dev.sqlbak.engine.RestoreResult;
import dev.sqlbak.engine.SqlbakException;
import java.io.InputStream;
import java.io.PrintWriter;
import dev.sqlbak.storage.LocalPath;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Location;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sqlbak restore BACKUP TARGET}: checks the backup, then writes it into TARGET. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Restore a backup into a database: the backup is checked first (integrity_check and its"
          + " .sha256), then written through SQLite's online backup API, so processes that have"
          + " TARGET open see the old content or the new one, never a mix.",
      "",
      "An existing TARGET needs --force; its previous content is saved first as"
          + " <TARGET>.pre-restore-<UTC yyyyMMdd'T'HHmmss'Z'>. TARGET keeps its journal mode.",
      "",
      "A damaged TARGET (empty, not a database, truncated, failing quick_check) is replaced instead:"
          + " its bytes are saved as they are, then the checked backup is renamed over it.",
      "BACKUP - reads the backup from stdin into a private scratch file first:"
          + " sqlbak backup -q app.db - | ssh host sqlbak restore - /srv/app.db",
      ""
    })
final class RestoreCommand implements Callable<Integer> {
  /** The BACKUP that means standard input, as DEST {@code -} means standard output for backup. */
  static final String STDIN = "-";

  @Spec CommandSpec spec;
  @ParentCommand SqlbakCommand parent;
  @Mixin CommonOptions common;
  @Mixin CopyOptions copy;

  @Parameters(index = "0", paramLabel = "BACKUP", converter = LocationConverter.class,
      description = "The backup file to restore, an S3 object (s3://bucket/key), or - to read it (plain,"
          + " gzip or zstd, or age-encrypted with --identity) from stdin.")
  Location backup;

  @Mixin S3Flags s3;

  @Parameters(index = "1", paramLabel = "TARGET", description = "The database that receives it.")
  Path target;

  @Option(names = {"-f", "--force"}, description = "Overwrite the content of an existing TARGET.")
  boolean force;

  @Option(names = "--no-safety-copy", description = "Do not save TARGET's previous content first.")
  boolean noSafetyCopy;

  @Mixin IdentityFlags identity;

  @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    RestoreRequest request = new RestoreRequest(origin(), target, force, !noSafetyCopy, copy.pages, copy.busyTimeout,
        identity.files);
    PrintWriter err = spec.commandLine().getErr();
    RestoreResult result = new RestoreEngine().restore(request,
        copy.listener(err, common.quiet, parent != null && parent.terminal, false));
    if (Interruptions.requested()) {
      return ExitCode.INTERRUPTED.code(); // the shutdown hook says how TARGET was left
    }
    RestoreOutput.print(spec.commandLine().getOut(), err, result, json, common.quiet);
    return ExitCode.OK.code();
  }

  /** {@code -} is standard input (a file named so is {@code ./-}); anything else a file. */
  private BackupOrigin origin() {
    if (backup instanceof S3Location object) {
      return BackupOrigin.stored(object, s3.options());
    }
    if (backup.toString().equals(STDIN)) {
      StandardInput in = parent != null ? parent.in : StandardInput.of(InputStream.nullInputStream());
      if (in.terminal()) {
        // Reading would just wait for a Ctrl-D: the pipe was forgotten.
        throw SqlbakException.failed("stdin is a terminal, not a backup", STDIN,
            "pipe one in: sqlbak backup -q app.db - | sqlbak restore - " + target);
      }
      return BackupOrigin.standardInput(in.bytes());
    }
    return BackupOrigin.file(((LocalPath) backup).path());
  }
}
