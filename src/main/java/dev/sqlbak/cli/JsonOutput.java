package dev.sqlbak.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.sqlbak.engine.TableRows;
import java.io.PrintWriter;
import java.util.Collection;

/** Writes --json results: one JSON object on stdout, built with Gson, never by concatenation. */
final class JsonOutput {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private JsonOutput() {}

  static void print(PrintWriter out, JsonElement value) {
    GSON.toJson(value, out);
    out.println();
    out.flush();
  }

  /** Tables with their row counts: {@code [{"name": ..., "rows": n or null}]}. */
  static JsonArray tables(Collection<TableRows> tables) {
    JsonArray array = new JsonArray();
    for (TableRows t : tables) {
      JsonObject row = new JsonObject();
      row.addProperty("name", t.name());
      row.addProperty("rows", t.rows() < 0 ? null : t.rows());
      array.add(row);
    }
    return array;
  }

  static JsonArray strings(Collection<?> values) {
    JsonArray array = new JsonArray();
    for (Object v : values) {
      array.add(String.valueOf(v));
    }
    return array;
  }
}
