package dev.sqlbak.cli.output;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sqlbak.engine.ListResult;
import dev.sqlbak.retention.Series;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a listing on stdout, since a listing is data: a table per series (a header line, then
 * one indented row per backup) or --json; an empty listing is a warning on stderr.
 */
public final class ListOutput {
  /** The header of restore's safety copies, which says what they are and what to do with them. */
  static final String SAFETY_COPIES_HEADER =
      "safety copies  (restore's saved previous contents; remove each once its restore is known good)";
  /** What the table shows where no sidecar says. */
  private static final String UNKNOWN = "?";

  private ListOutput() {}

  /** Prints the listing as text, or as JSON if asked; warns when there is nothing to list. */
  public static void print(PrintWriter out, PrintWriter err, ListResult result, boolean json) {
    if (result.empty()) {
      err.println("sqlbak: warning: no backups" + result.stem().map(s -> " named " + s).orElse("") + " in "
          + result.folder());
      err.flush();
    }
    if (json) {
      JsonOutput.print(out, json(result));
      return;
    }
    for (int i = 0; i < result.groups().size(); i++) {
      if (i > 0) {
        out.println();
      }
      table(out, result.groups().get(i));
    }
    if (!result.safetyCopies().isEmpty()) {
      if (!result.groups().isEmpty()) {
        out.println();
      }
      safetyCopies(out, result.safetyCopies());
    }
    out.flush();
  }

  /**
   * Restore's safety copies, apart from the series (they are no backups, have no sidecar and are
   * never pruned): a header saying so, then file, time saved and size in aligned columns.
   */
  private static void safetyCopies(PrintWriter out, List<ListResult.SafetyCopy> copies) {
    out.println(SAFETY_COPIES_HEADER);
    List<String[]> rows = new ArrayList<>();
    for (ListResult.SafetyCopy c : copies) {
      rows.add(new String[] {c.file(), c.savedAt().toString(), ByteSize.human(c.bytes())});
    }
    int[] widths = new int[3];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    String format = String.format(Locale.ROOT, "  %%-%ds  %%-%ds  %%%ds", widths[0], widths[1], widths[2]);
    for (String[] row : rows) {
      out.println(String.format(Locale.ROOT, format, (Object[]) row));
    }
  }

  /**
   * The --json shape of a listing: {@code {"series": [{"name", "source", "host", "backups": [...]}],
   * "safetyCopies": [{"file", "target", "savedAt", "bytes"}]}}.
   */
  public static JsonObject json(ListResult result) {
    JsonArray series = new JsonArray();
    for (ListResult.Group g : result.groups()) {
      JsonArray backups = new JsonArray();
      for (ListResult.Listed b : g.newestFirst()) {
        JsonObject o = new JsonObject();
        o.addProperty("file", b.file());
        o.addProperty("snapshotTime", b.snapshotTime().toString());
        o.addProperty("bytes", b.bytes());
        o.addProperty("kind", b.kind().orElse(null));
        o.addProperty("compression", compression(b));
        o.addProperty("encryption", b.encrypted() ? "age" : "none");
        o.addProperty("sha256", b.sha256().orElse(null));
        backups.add(o);
      }
      JsonObject s = new JsonObject();
      s.addProperty("name", g.series().name());
      s.addProperty("source", g.series().source().orElse(null));
      s.addProperty("host", g.series().host().orElse(null));
      s.add("backups", backups);
      series.add(s);
    }
    JsonObject root = new JsonObject();
    root.add("series", series);
    JsonArray copies = new JsonArray();
    for (ListResult.SafetyCopy c : result.safetyCopies()) {
      JsonObject o = new JsonObject();
      o.addProperty("file", c.file());
      o.addProperty("target", c.target());
      o.addProperty("savedAt", c.savedAt().toString());
      o.addProperty("bytes", c.bytes());
      copies.add(o);
    }
    root.add("safetyCopies", copies);
    return root;
  }

  /** One series: {@code app  web1:/srv/app/app.db  (full)}, then its backups in aligned columns. */
  private static void table(PrintWriter out, ListResult.Group g) {
    out.println(g.series().name() + "  " + g.series().describeSource() + "  (" + part(g.series()) + ")");
    List<String[]> rows = new ArrayList<>();
    for (ListResult.Listed b : g.newestFirst()) {
      rows.add(new String[] {b.file(), b.snapshotTime().truncatedTo(ChronoUnit.SECONDS).toString(),
          ByteSize.human(b.bytes()), b.kind().orElse(UNKNOWN), storedAs(b),
          b.sidecar() == ListResult.Sidecar.PRESENT ? "sidecar" : "no sidecar"});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    // Sizes right-aligned so that their units line up; the last column is not padded.
    String format = String.format(Locale.ROOT, "  %%-%ds  %%-%ds  %%%ds  %%-%ds  %%-%ds  %%s",
        widths[0], widths[1], widths[2], widths[3], widths[4]);
    for (String[] row : rows) {
      out.println(String.format(Locale.ROOT, format, (Object[]) row));
    }
  }

  private static String part(Series series) {
    return series.part() == Series.Part.PARTIAL ? "partial" : "full";
  }

  /** The compression column: {@code zstd}, {@code none}, or with encryption {@code zstd+age}, {@code age}. */
  private static String storedAs(ListResult.Listed b) {
    if (!b.encrypted()) {
      return compression(b);
    }
    return b.compression() == dev.sqlbak.payload.Compression.NONE ? "age" : compression(b) + "+age";
  }

  private static String compression(ListResult.Listed b) {
    return b.compression().name().toLowerCase(Locale.ROOT);
  }
}
