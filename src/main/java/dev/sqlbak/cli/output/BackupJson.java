package dev.sqlbak.cli.output;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sqlbak.engine.BackupCopy;
import dev.sqlbak.engine.BackupResult;
import java.util.Locale;

/** The --json shape of a backup: the first copy's fields at the top, every copy under "schemas". */
public final class BackupJson {
  private BackupJson() {}

  public static JsonObject of(BackupResult result) {
    JsonObject root = copy(result.copies().get(0));
    JsonArray all = new JsonArray();
    for (BackupCopy c : result.copies()) {
      all.add(copy(c));
    }
    root.add("schemas", all);
    root.addProperty("snapshotTime", result.snapshotTime().toString());
    root.addProperty("durationMs", result.elapsed().toMillis());
    root.add("pruned", JsonOutput.strings(result.pruned()));
    root.addProperty("restarts", result.contention().restarts());
    root.addProperty("busyRetries", result.contention().busyRetries());
    root.addProperty("busyWaitMs", result.contention().busyWait().toMillis());
    root.addProperty("snapshotHeldMs", result.contention().snapshotHeld().toMillis());
    return root;
  }

  private static JsonObject copy(BackupCopy c) {
    JsonObject o = new JsonObject();
    o.addProperty("schema", c.schema());
    o.addProperty("source", c.sourceFile().toString());
    o.addProperty("destination", c.destination() == null ? null : c.destination().toString());
    o.addProperty("pageSize", c.pageSize());
    o.addProperty("pageCount", c.pageCount());
    o.addProperty("bytes", c.bytes());
    o.addProperty("sha256", c.sha256());
    o.addProperty("check", c.check().name().toLowerCase(Locale.ROOT));
    o.addProperty("compression", c.compression().name().toLowerCase(Locale.ROOT));
    o.addProperty("encryption", c.recipients() > 0 ? "age" : "none");
    o.addProperty("recipients", c.recipients());
    if (!c.tables().isEmpty()) {
      o.add("tables", JsonOutput.tables(c.tables()));
    }
    return o;
  }
}
