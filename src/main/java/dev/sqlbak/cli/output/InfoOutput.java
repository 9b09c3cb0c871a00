package dev.sqlbak.cli.output;

import com.google.gson.JsonObject;
import dev.sqlbak.engine.DatabaseInfo;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.sqlite.TableRows;
import java.io.PrintWriter;
import java.util.Locale;

/** Renders info's result on stdout: aligned "name: value" lines, or one JSON object with --json. */
public final class InfoOutput {
  private InfoOutput() {}

  /** Prints {@code info} to {@code out} as JSON or as text. */
  public static void print(PrintWriter out, DatabaseInfo info, boolean json) {
    if (json) {
      JsonOutput.print(out, json(info));
    } else {
      text(out, info);
    }
  }

  /** The --json shape of a database's statistics. */
  public static JsonObject json(DatabaseInfo info) {
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
    o.addProperty("compression", compression(info));
    o.addProperty("encryption", info.encrypted() ? "age" : "none");
    return o;
  }

  private static void text(PrintWriter out, DatabaseInfo info) {
    out.println("path:           " + info.path());
    out.println("file size:      " + info.fileSize() + " bytes (" + ByteSize.human(info.fileSize()) + ")");
    // Only a compressed backup says so: a plain database has no compression worth a line.
    if (info.compression() != Compression.NONE) {
      out.println("compression:    " + compression(info));
    }
    if (info.encrypted()) {
      out.println("encryption:     age");
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
  }

  private static String compression(DatabaseInfo info) {
    return info.compression().name().toLowerCase(Locale.ROOT);
  }
}
