package dev.sqlbak.cli;

import com.google.gson.JsonObject;
import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.JsonOutput;
import dev.sqlbak.engine.DatabaseInfo;
import dev.sqlbak.engine.InfoEngine;
import dev.sqlbak.sqlite.TableRows;
import java.io.PrintWriter;
import java.nio.file.Path;
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

  @Parameters(paramLabel = "DB", description = "The database or backup to describe.")
  Path database;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    DatabaseInfo info = new InfoEngine().info(database);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonObject o = new JsonObject();
      o.addProperty("path", info.path().toString());
      o.addProperty("fileSize", info.fileSize());
      o.addProperty("pageSize", info.pageSize());
      o.addProperty("pageCount", info.pageCount());
      o.addProperty("freelistPages", info.freelistPages());
      o.addProperty("journalMode", info.journalMode());
      o.addProperty("encoding", info.encoding());
      o.addProperty("userVersion", info.userVersion());
      o.addProperty("applicationId", info.applicationId());
      o.add("schemas", JsonOutput.strings(info.schemas()));
      o.add("tables", JsonOutput.tables(info.tables()));
      o.addProperty("compression", info.compression().name().toLowerCase(java.util.Locale.ROOT));
      JsonOutput.print(out, o);
      return ExitCode.OK.code();
    }
    out.println("path:           " + info.path());
    out.println("file size:      " + info.fileSize() + " bytes (" + BackupCommand.humanBytes(info.fileSize()) + ")");
    if (info.compression() != dev.sqlbak.payload.Compression.NONE) {
      out.println("compression:    " + info.compression().name().toLowerCase(java.util.Locale.ROOT));
    }
    out.println("page size:      " + info.pageSize());
    out.println("page count:     " + info.pageCount());
    out.println("freelist pages: " + info.freelistPages());
    out.println("journal mode:   " + info.journalMode());
    out.println("encoding:       " + info.encoding());
    out.println("user_version:   " + info.userVersion());
    out.println("application_id: " + info.applicationId());
    out.println("schemas:        " + String.join(", ", info.schemas()));
    out.println("tables:         " + info.tables().size());
    for (TableRows t : info.tables()) {
      out.println("  " + t.name() + "\t" + (t.rows() < 0 ? "?" : String.valueOf(t.rows())));
    }
    out.flush();
    return ExitCode.OK.code();
  }
}
