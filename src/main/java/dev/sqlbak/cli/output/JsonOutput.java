package dev.sqlbak.cli.output;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.sqlbak.sqlite.TableRows;
import java.io.PrintWriter;
import java.util.Collection;

/** Writes --json results: one JSON object on stdout, built with Gson, never by concatenation. */
public final class JsonOutput {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private JsonOutput() {}

  public static void print(PrintWriter out, JsonElement value) {
    GSON.toJson(value, out);
    out.println();
    out.flush();
  }

  /** Tables with their row counts: {@code [{"name": ..., "rows": n or null}]}. */
  public static JsonArray tables(Collection<TableRows> tables) {
    JsonArray array = new JsonArray();
    for (TableRows t : tables) {
      JsonObject row = new JsonObject();
      row.addProperty("name", t.name());
      row.addProperty("rows", t.rows() < 0 ? null : t.rows());
      array.add(row);
    }
    return array;
  }

  public static JsonArray strings(Collection<?> values) {
    JsonArray array = new JsonArray();
    for (Object v : values) {
      array.add(String.valueOf(v));
    }
    return array;
  }
}
