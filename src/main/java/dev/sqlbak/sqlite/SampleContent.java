package dev.sqlbak.sqlite;

import static dev.sqlbak.sqlite.SqlText.uriOf;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** Writes the sample database on which sqlbak exercises itself without a user's data. */
public final class SampleContent {
  private SampleContent() {}

  /**
   * Creates a small database of a few tables, an index, a trigger and blobs at {@code file} (which
   * must not exist): work for the launcher's class-data-sharing training run.
   */
  public static void create(Path file) throws SqliteFailure {
    try (SqliteDatabase db = SqliteDatabase.open("jdbc:sqlite:" + uriOf(file) + "?mode=rwc", new SQLiteConfig(),
            file.toString());
        Statement s = db.connection().createStatement()) {
      s.execute("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, body BLOB)");
      s.execute("CREATE TABLE log(id INTEGER PRIMARY KEY AUTOINCREMENT, item INTEGER, at TEXT)");
      s.execute("CREATE INDEX items_name ON items(name)");
      s.execute("CREATE TRIGGER items_log AFTER INSERT ON items BEGIN"
          + " INSERT INTO log(item, at) VALUES (new.id, datetime('now')); END");
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
          + " INSERT INTO items(name, body) SELECT 'item ' || i, randomblob(200) FROM n");
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }
}
