package dev.sqlbak.cli;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.cli.output.BackupJson;
import dev.sqlbak.cli.output.ByteSize;
import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.JsonOutput;
import dev.sqlbak.engine.BackupCopy;
import dev.sqlbak.engine.BackupEngine;
import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.BackupResult;
import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.sqlite.TableRows;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sqlbak backup SOURCE [DEST]}: parses options into a request and runs the engine once. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Back up a live SQLite database: one consistent snapshot through SQLite's online backup API,"
          + " checked, and published atomically with a .sha256 checksum beside it.",
      "",
      "DEST is a file; an existing directory (default: the current one), which gets a new"
          + " <source-stem>-<UTC yyyyMMdd'T'HHmmss'Z'>.db; :memory:, which copies, checks and"
          + " prints each table's row count on stdout, writing nothing; or -, which writes the"
          + " finished, checked backup to stdout.",
      ""
    })
final class BackupCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand SqlbakCommand parent;
  @Mixin CommonOptions common;
  @Mixin CopyOptions copy;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "The database to back up (opened read-only).")
  Path source;

  @Parameters(index = "1", arity = "0..1", paramLabel = "DEST",
      description = "Backup file, existing directory, :memory: or -. Default: the current directory.")
  String destination;

  @Option(names = {"-f", "--force"}, description = "Replace an existing DEST file (atomically).")
  boolean force;

  @Option(names = {"-s", "--schema"}, paramLabel = "NAME",
      description = "Source schema to copy (repeatable). Default: " + BackupRequest.DEFAULT_SCHEMA + ".")
  List<String> schemas = new ArrayList<>();

  @Option(names = "--attach", paramLabel = "NAME=FILE", mapFallbackValue = "",
      description = "Attach FILE read-only as schema NAME on the source connection (repeatable).")
  Map<String, Path> attachments = new LinkedHashMap<>();

  @Option(names = "--check", paramLabel = "quick|full|none", defaultValue = BackupRequest.DEFAULT_CHECK,
      completionCandidates = DocumentedValues.BackupCheck.class,
      description = "Check of the copy before it is published: quick_check, integrity_check, "
          + "or none. Default: ${DEFAULT-VALUE}.")
  CheckLevel check;

  @Option(names = "--compress", paramLabel = "gzip|zstd", converter = CompressionConverter.class,
      completionCandidates = DocumentedValues.Compress.class,
      description = "Store the backup compressed; appends .gz or .zst to DEST when missing. A DEST"
          + " ending in .gz or .zst is compressed without this option.")
  Compression compression;

  @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
  boolean json;

  @Option(names = "--compact", description = "Copy with VACUUM INTO: smaller and defragmented, but"
      + " without page progress; each schema is its own snapshot. Cannot go with --pages.")
  boolean compact;

  @Option(names = "--table", paramLabel = "NAME",
      description = "Copy only this table (repeatable): its rows with their rowids, its indexes,"
          + " triggers and sqlite_sequence row, written afresh into the backup in one snapshot."
          + " Views are not copied. No page progress; cannot go with --pages or --compact.")
  List<String> tables = new ArrayList<>();

  /** With a directory DEST: after publishing, prune this source's stem there as prune does. */
  @Mixin RetentionOptions keep;

  @Override
  public Integer call() {
    BackupRequest request = new BackupRequest(source, destination, schemas, attachments, copy.pages,
        check, copy.busyTimeout, force, compression, keep.given() ? keep.policy() : null, compact, tables);
    ProgressListener progress = copy.listener(spec.commandLine().getErr(), common.quiet,
        parent != null && parent.terminal, request.schemas().size() > 1);
    BackupResult result;
    if (request.toStream()) {
      if (json) {
        throw new ParameterException(spec.commandLine(),
            "--json cannot go with DEST '-': standard output carries the backup itself");
      }
      if (parent == null || parent.binaryOut == null) {
        throw new ParameterException(spec.commandLine(), "DEST '-' needs a byte stream for standard output");
      }
      result = new BackupEngine().stream(request, parent.binaryOut, progress);
    } else {
      result = new BackupEngine().backup(request, progress);
    }
    report(request, result);
    return ExitCode.OK.code();
  }

  private void report(BackupRequest request, BackupResult result) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (json) {
      JsonOutput.print(out, BackupJson.of(result));
    }
    for (BackupCopy copy : result.copies()) {
      String checked = copy.check() == CheckLevel.NONE ? "not checked" : copy.check().pragma() + " ok";
      if (request.toMemory() && !json) {
        // The summary is the data this mode produces, so it goes to stdout even with --quiet.
        out.printf(Locale.ROOT, "# %s: %s, %d pages of %d bytes, %s%n",
            copy.schema(), copy.sourceFile(), copy.pageCount(), copy.pageSize(), checked);
        for (TableRows t : copy.tables()) {
          out.println(t.name() + "\t" + (t.rows() < 0 ? "?" : String.valueOf(t.rows())));
        }
      } else if (!common.quiet) {
        err.printf(Locale.ROOT, "backed up %s%s to %s: %d pages, %s, %s%n",
            copy.sourceFile(), request.schemas().size() > 1 ? " (" + copy.schema() + ")"
                : request.tables().isEmpty() ? "" : " (" + tableNames(copy) + ")",
            copy.destination() == null ? "standard output" : copy.destination(), copy.pageCount(),
            ByteSize.human(copy.bytes()), checked);
      }
    }
    if (!common.quiet) {
      for (Path removed : result.pruned()) {
        err.println("removed " + removed);
      }
      err.printf(Locale.ROOT, "done in %.2f s%n", result.elapsed().toMillis() / 1000.0);
    }
    out.flush();
    err.flush();
  }

  private static String tableNames(BackupCopy copy) {
    List<String> names = new ArrayList<>();
    for (TableRows t : copy.tables()) {
      names.add(t.name());
    }
    return (names.size() == 1 ? "table " : "tables ") + String.join(", ", names);
  }
}
