package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.InfoOutput;
import dev.sqlbak.engine.DatabaseInfo;
import dev.sqlbak.engine.InfoEngine;
import dev.sqlbak.storage.Location;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sqlbak info DB}: a database's vital statistics on stdout, read-only. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Show a database's page size, page count, file size, freelist, journal mode, encoding,"
          + " user_version, application_id, schemas, and each table with its row count. Opens it"
          + " read-only; works on backups and live databases.",
      ""
    })
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "DB", converter = LocationConverter.class,
      description = "The database or backup to describe; s3://bucket/key for a backup in S3.")
  Location database;

  @Mixin S3Flags s3;
  @Mixin IdentityFlags identity;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    DatabaseInfo info = new InfoEngine().info(database, s3.options(), identity.files);
    InfoOutput.print(spec.commandLine().getOut(), info, json);
    return ExitCode.OK.code();
  }
}
