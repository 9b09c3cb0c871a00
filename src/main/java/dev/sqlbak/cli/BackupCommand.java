package dev.sqlbak.cli;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.cli.output.BackupOutput;
import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.engine.BackupEngine;
import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.BackupResult;
import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.payload.Compression;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
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
      description = "Backup file, existing directory, :memory: or -; or in S3: s3://bucket/prefix/ (timestamped"
          + " backups, as a directory) or s3://bucket/key. Default: the current directory.")
  String destination;

  @Mixin S3Flags s3;
  @Mixin EncryptionFlags encryption;

  @Option(names = "--s3-storage-class", paramLabel = "CLASS",
      description = "The S3 storage class of new objects (STANDARD_IA, GLACIER_IR, …); default: the bucket's.")
  String storageClass;

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

  @Option(names = "--name", paramLabel = "NAME",
      description = "The name part of timestamped backups in a directory DEST: NAME-<time>.db."
          + " Default: the source file's stem.")
  String name;

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
        check, copy.busyTimeout, force, compression, keep.given() ? keep.policy() : null, compact, tables,
        name, s3.options().withStorageClass(Optional.ofNullable(storageClass)), encryption.recipients());
    ProgressListener progress = copy.listener(spec.commandLine().getErr(), common.quiet,
        parent != null && parent.terminal, request.schemas().size() > 1);
    BackupResult result = request.toStream()
        ? new BackupEngine().stream(request, standardOutput(), progress)
        : new BackupEngine().backup(request, progress);
    new BackupOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json, common.quiet)
        .print(request, result);
    return ExitCode.OK.code();
  }

  /** Standard output as bytes for DEST '-', where it carries the backup itself and nothing else. */
  private OutputStream standardOutput() {
    if (json) {
      throw new ParameterException(spec.commandLine(),
          "--json cannot go with DEST '-': standard output carries the backup itself");
    }
    if (parent == null || parent.binaryOut == null) {
      throw new ParameterException(spec.commandLine(), "DEST '-' needs a byte stream for standard output");
    }
    return parent.binaryOut;
  }
}
