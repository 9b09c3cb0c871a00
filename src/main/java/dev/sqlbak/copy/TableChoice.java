package dev.sqlbak.copy;

import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.sqlite.SqlText;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.util.ArrayList;
import java.util.List;

/** The tables a {@code --table} backup copies, checked against what the schema holds. */
final class TableChoice {
  private TableChoice() {}

  /**
   * The requested tables of the stage's schema by their names as created (SQLite matches names
   * case-insensitively); none requested gives none. A name that is not an ordinary table fails.
   */
  static List<String> resolve(SqliteDatabase db, StagedCopy stage, List<String> requested) throws SqliteFailure {
    if (requested.isEmpty()) {
      return List.of();
    }
    List<SqliteDatabase.ListedTable> listed = db.tableList(stage.schema());
    List<String> names = new ArrayList<>();
    for (String name : requested) {
      SqliteDatabase.ListedTable table = listed.stream()
          .filter(t -> SqliteDatabase.sameName(t.name(), name))
          .findFirst()
          .orElseThrow(() -> SqlbakException.failed("unknown table", name, hint(stage, listed)));
      if (SqlText.foldedName(table.name()).startsWith("sqlite_")) {
        throw SqlbakException.failed("cannot copy SQLite's own table", table.name(),
            "the sqlite_sequence rows of the chosen tables come with them");
      }
      switch (table.type()) {
        case "table":
          names.add(table.name());
          break;
        case "view":
          throw SqlbakException.failed("not a table but a view", table.name(), "views are not copied");
        default:
          // A virtual table's content lives in its module (and shadow tables), not in rows to copy.
          throw SqlbakException.failed("cannot copy a " + table.type() + " table", table.name(),
              "--table copies ordinary tables; back up the whole database instead");
      }
    }
    return names;
  }

  private static String hint(StagedCopy stage, List<SqliteDatabase.ListedTable> listed) {
    List<String> ordinary = listed.stream()
        .filter(t -> t.type().equals("table") && !SqlText.foldedName(t.name()).startsWith("sqlite_"))
        .map(SqliteDatabase.ListedTable::name)
        .sorted()
        .toList();
    String where = stage.schema().equalsIgnoreCase(BackupRequest.DEFAULT_SCHEMA)
        ? stage.sourceFile().toString() : "schema " + stage.schema();
    if (ordinary.isEmpty()) {
      return where + " has no tables";
    }
    int shown = Math.min(ordinary.size(), 10);
    return where + " has " + String.join(", ", ordinary.subList(0, shown))
        + (ordinary.size() > shown ? " and " + (ordinary.size() - shown) + " more" : "");
  }
}
