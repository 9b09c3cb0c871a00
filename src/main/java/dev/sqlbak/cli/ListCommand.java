package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.ListOutput;
import dev.sqlbak.engine.ListEngine;
import dev.sqlbak.engine.ListRequest;
import dev.sqlbak.engine.ListResult;
import dev.sqlbak.storage.Location;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sqlbak list DIR}: the backups in a folder by series, from names and sidecars only. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "List the backups in DIR by series (source path and host, from the sidecars; ? where no"
          + " sidecar says), newest first: name, snapshot time, size, kind, compression, and whether"
          + " a .sha256 sidecar is present. Reads names and sidecars only; never opens a backup.",
      "",
      "The listing is data: it goes to stdout.",
      "",
      "Restore's safety copies (<TARGET>.pre-restore-<time>) in DIR are listed apart after the"
          + " series; nothing prunes them: remove them once the restore is known good.",
      ""
    })
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "DIR", converter = LocationConverter.class,
      description = "The folder that holds the backups, or an S3 prefix: s3://bucket/prefix/.")
  Location folder;

  @Mixin S3Flags s3;

  @Option(names = "--stem", paramLabel = "NAME",
      description = "List only the backups of this name (app for app-20261124T030000Z.db).")
  String stem;

  @Option(names = "--json", description = "Print the listing as one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    ListResult result = new ListEngine().list(new ListRequest(folder, Optional.ofNullable(stem), s3.options()));
    ListOutput.print(spec.commandLine().getOut(), spec.commandLine().getErr(), result, json);
    return ExitCode.OK.code();
  }
}
