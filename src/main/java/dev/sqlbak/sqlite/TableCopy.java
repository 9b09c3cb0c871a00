package dev.sqlbak.sqlite;

import static dev.sqlbak.sqlite.SqlText.literal;
import static dev.sqlbak.sqlite.SqlText.quote;
import static dev.sqlbak.sqlite.SqliteDatabase.clampMillis;
import static dev.sqlbak.sqlite.SqliteDatabase.sameName;

import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase.ListedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills a new, empty database with chosen tables of another, table by table (a logical copy), on
 * the new database's connection.
 */
final class TableCopy {
  /** The schema name under which a logical copy attaches its source. */
  private static final String COPY_SOURCE = "sqlbak_source";
  /** Names that reach a rowid table's rowid, in the order SQLite tries them, unless a column takes them. */
  private static final List<String> ROWID_NAMES = List.of("rowid", "_rowid_", "oid");

  private final SqliteDatabase copy;
  private final Connection connection;

  TableCopy(SqliteDatabase copy, Connection connection) {
    this.copy = copy;
    this.connection = connection;
  }

  /**
   * Fills the new, empty copy with {@code tables} of {@code source}'s {@code schema} (which lives
   * in {@code sourceFile}): their definitions, rows with their rowids, explicit indexes, triggers
   * and sqlite_sequence rows; returns each table with the rows copied.
   *
   * <p>The source file is attached read-only to the copy's connection and everything is read in one
   * transaction, so all tables are one snapshot. Indexes and triggers are created after the rows:
   * building an index once is faster than growing it row by row, and a trigger created earlier
   * would fire for every copied row.
   */
  List<TableRows> copyFrom(SqliteDatabase source, String schema, LiveDatabaseFiles sourceFile,
      List<String> tables, Duration busyTimeout) throws SqliteFailure {
    // Encoding, page size and auto-vacuum are fixed when the first table is created, and an
    // attached database must share main's encoding, so they are set first.
    copy.execute("PRAGMA main.encoding = " + literal(source.pragmaText(schema, "encoding")));
    copy.execute("PRAGMA main.page_size = " + source.pageSize(schema));
    copy.execute("PRAGMA main.auto_vacuum = " + source.pragmaNumber(schema, "auto_vacuum"));
    copy.execute("PRAGMA foreign_keys = OFF"); // a table's parent may be one that is not copied
    copy.execute("PRAGMA busy_timeout = " + clampMillis(busyTimeout));
    // By its real path, owned by the source's connection, which outlives this one.
    copy.attach(COPY_SOURCE, sourceFile.real());
    String from = quote(COPY_SOURCE) + ".";
    List<TableRows> copied = new ArrayList<>();
    boolean done = false;
    try {
      connection.setAutoCommit(false);
      // The first read of the source starts the snapshot: the settings, schema and rows below.
      copy.execute("PRAGMA main.user_version = " + copy.pragmaNumber(COPY_SOURCE, "user_version"));
      copy.execute("PRAGMA main.application_id = " + copy.pragmaNumber(COPY_SOURCE, "application_id"));
      List<ListedTable> listed = copy.tableList(COPY_SOURCE);
      for (String name : tables) {
        ListedTable table = listed.stream()
            .filter(t -> t.type().equals("table") && sameName(t.name(), name))
            .findFirst()
            .orElseThrow(() -> new SqliteFailure(SqliteFailure.Reason.OTHER, "no such table: " + name, null));
        copied.add(new TableRows(table.name(), copyTable(table, from)));
      }
      for (TableRows table : copied) {
        for (String type : List.of("index", "trigger")) {
          for (String sql : strings("SELECT sql FROM " + from + "sqlite_schema WHERE type = ?"
              + " AND tbl_name = ? COLLATE NOCASE AND sql IS NOT NULL ORDER BY rowid", type, table.name())) {
            copy.execute(sql);
          }
        }
      }
      copySequences(copied, from);
      connection.commit();
      done = true;
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    } finally {
      try {
        if (!done) {
          connection.rollback();
        }
        connection.setAutoCommit(true);
        copy.execute("DETACH " + quote(COPY_SOURCE));
      } catch (SQLException | SqliteFailure e) {
        // the failure being thrown says more; the caller throws this half-made copy away
        // Logged under SqliteDatabase's name as before it was split, so that --verbose output is unchanged.
        org.slf4j.LoggerFactory.getLogger(SqliteDatabase.class).debug("ending a table copy", e);
      }
    }
    return copied;
  }

  /** Creates {@code table} in main as the source defines it and copies its rows; returns how many. */
  private long copyTable(ListedTable table, String from) throws SqliteFailure, SQLException {
    List<String> definition = strings("SELECT sql FROM " + from + "sqlite_schema WHERE type = 'table'"
        + " AND name = ?", table.name());
    if (definition.isEmpty()) {
      throw new SqliteFailure(SqliteFailure.Reason.OTHER, "no such table: " + table.name(), null);
    }
    copy.execute(definition.get(0)); // unqualified, so it lands in main
    // Generated columns cannot be written; they are computed again from the others.
    List<String> columns = new ArrayList<>();
    try (PreparedStatement info = connection.prepareStatement(
        "SELECT name, hidden FROM pragma_table_xinfo(?, ?)")) {
      info.setString(1, table.name());
      info.setString(2, COPY_SOURCE);
      try (ResultSet rs = info.executeQuery()) {
        while (rs.next()) {
          if (rs.getInt(2) == 0) {
            columns.add(rs.getString(1));
          }
        }
      }
    }
    List<String> names = new ArrayList<>();
    if (!table.withoutRowid()) {
      // A column named rowid hides the rowid under that name; the next unclaimed name reaches it.
      ROWID_NAMES.stream()
          .filter(alias -> columns.stream().noneMatch(c -> sameName(c, alias)))
          .findFirst()
          .ifPresent(names::add);
    }
    for (String column : columns) {
      names.add(quote(column));
    }
    String list = String.join(", ", names);
    try (Statement s = connection.createStatement()) {
      return s.executeUpdate("INSERT INTO main." + quote(table.name()) + "(" + list + ") SELECT " + list
          + " FROM " + from + quote(table.name()));
    }
  }

  /**
   * Sets the copied tables' sqlite_sequence rows to the source's: the copy's own inserts left the
   * largest copied rowid there, but the source's counter may be higher (rows deleted at the end),
   * and AUTOINCREMENT promises never to reuse those numbers.
   */
  private void copySequences(List<TableRows> copied, String from) throws SqliteFailure, SQLException {
    String exists = "SELECT count(*) FROM %ssqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'";
    if (strings(String.format(exists, from)).get(0).equals("0")
        || strings(String.format(exists, "main.")).get(0).equals("0")) {
      return;
    }
    try (PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM main.sqlite_sequence WHERE name = ? COLLATE NOCASE");
        PreparedStatement insert = connection.prepareStatement("INSERT INTO main.sqlite_sequence(name, seq)"
            + " SELECT name, seq FROM " + from + "sqlite_sequence WHERE name = ? COLLATE NOCASE")) {
      for (TableRows table : copied) {
        delete.setString(1, table.name());
        delete.executeUpdate();
        insert.setString(1, table.name());
        insert.executeUpdate();
      }
    }
  }

  /** The first column of every row of a query with text parameters. */
  private List<String> strings(String sql, String... parameters) throws SQLException {
    List<String> values = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        query.setString(i + 1, parameters[i]);
      }
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getString(1));
        }
      }
    }
    return values;
  }
}
