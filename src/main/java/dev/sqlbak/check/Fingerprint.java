package dev.sqlbak.check;

import dev.sqlbak.engine.Failures;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.sqlite.TableDigest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A live database's schema and per-table digests, read once in one read transaction, to compare
 * backups with ({@code verify --against}).
 *
 * @param file the database as the user named it
 * @param schema its schema definitions
 * @param tables each ordinary table's row count and content digest
 */
public record Fingerprint(Path file, List<String> schema, Map<String, TableDigest> tables) {

  /** Reads the fingerprint of the live database {@code sourceFile}, waiting up to {@code busyTimeout} for locks. */
  public static Fingerprint of(Path sourceFile, Duration busyTimeout) {
    try (SqliteDatabase db = SqliteDatabase.openReadOnly(LiveDatabaseFiles.open(sourceFile, "source"), busyTimeout)) {
      // One read transaction: the schema and every table digest describe the same moment.
      db.beginSnapshot(List.of("main"));
      List<String> schema = db.schemaDefinitions();
      Map<String, TableDigest> tables = new LinkedHashMap<>();
      for (String table : db.ordinaryTables()) {
        tables.put(table, db.digestTable(table));
      }
      db.endSnapshot();
      return new Fingerprint(sourceFile, schema, tables);
    } catch (SqliteFailure f) {
      throw Failures.source(f, sourceFile, busyTimeout);
    }
  }

  /** How {@code backup} differs from this fingerprint: schema, row counts, content; empty if not at all. */
  List<String> differences(SqliteDatabase backup) throws SqliteFailure {
    List<String> problems = new ArrayList<>();
    List<String> theirs = backup.schemaDefinitions();
    if (!theirs.equals(schema)) {
      Set<String> missing = new TreeSet<>(schema);
      missing.removeAll(theirs);
      Set<String> extra = new TreeSet<>(theirs);
      extra.removeAll(schema);
      problems.add("schema differs from " + file
          + (missing.isEmpty() ? "" : "; missing " + missing.iterator().next().split(":")[0])
          + (extra.isEmpty() ? "" : "; extra " + extra.iterator().next().split(":")[0]));
    }
    for (Map.Entry<String, TableDigest> t : tables.entrySet()) {
      TableDigest source = t.getValue();
      TableDigest copy;
      try {
        copy = backup.digestTable(t.getKey());
      } catch (SqliteFailure f) {
        if (f.reason() != SqliteFailure.Reason.OTHER) {
          throw f;
        }
        continue; // the table is missing: the schema difference above already says so
      }
      if (copy.rows() != source.rows()) {
        problems.add("table " + t.getKey() + " has " + copy.rows() + " rows, the source " + source.rows());
      } else if (!copy.sha256().equals(source.sha256())) {
        problems.add("table " + t.getKey() + " content differs from the source");
      }
    }
    return problems;
  }
}
