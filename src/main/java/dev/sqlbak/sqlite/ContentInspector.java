package dev.sqlbak.sqlite;

import static dev.sqlbak.sqlite.SqlText.quote;

import dev.sqlbak.check.CheckLevel;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the main schema of a {@link SqliteDatabase}'s connection the way checks and verification
 * compare databases: SQLite's own check, row counts, schema lines, table digests and assertions.
 */
final class ContentInspector {
  private final Connection connection;

  ContentInspector(Connection connection) {
    this.connection = connection;
  }

  /** Runs the check and returns its problems; an empty list means the check said "ok". */
  List<String> check(CheckLevel level) throws SqliteFailure {
    List<String> problems = new ArrayList<>();
    if (level == CheckLevel.NONE) {
      return problems;
    }
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA main." + level.pragma())) {
      while (rs.next()) {
        String line = rs.getString(1);
        if (!"ok".equals(line)) {
          problems.add(line);
        }
      }
    } catch (SQLException e) {
      SqliteFailure f = SqliteFailure.of(e);
      if (f.reason() == SqliteFailure.Reason.CORRUPT) {
        problems.add(f.getMessage());
        return problems;
      }
      throw f;
    }
    return problems;
  }

  /** Every table of the main schema with its row count, in name order. */
  List<TableRows> tableRowCounts() throws SqliteFailure {
    List<String> names = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
    List<TableRows> tables = new ArrayList<>();
    for (String name : names) {
      long rows;
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM main." + quote(name))) {
        rows = rs.next() ? rs.getLong(1) : 0;
      } catch (SQLException e) {
        rows = -1; // e.g. a virtual table whose module this build of SQLite lacks
      }
      tables.add(new TableRows(name, rows));
    }
    return tables;
  }

  /**
   * Every schema object of main as one comparable line each ({@code type name on table: sql}),
   * sorted; two databases with equal lists have the same schema.
   */
  List<String> schemaDefinitions() throws SqliteFailure {
    List<String> lines = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT type, name, tbl_name, sql FROM main.sqlite_schema ORDER BY type, name")) {
      while (rs.next()) {
        lines.add(rs.getString(1) + " " + rs.getString(2) + " on " + rs.getString(3) + ": " + rs.getString(4));
      }
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
    return lines;
  }

  /**
   * Row count and SHA-256 over every value of every row of a table, in the table's own b-tree
   * order (NOT INDEXED), so equal content gives an equal digest whatever the query planner picks.
   */
  TableDigest digestTable(String table) throws SqliteFailure {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    long rows = 0;
    java.nio.ByteBuffer number = java.nio.ByteBuffer.allocate(9);
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM main." + quote(table) + " NOT INDEXED")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        rows++;
        for (int i = 1; i <= columns; i++) {
          Object v = rs.getObject(i);
          number.clear();
          if (v == null) {
            md.update((byte) 0);
          } else if (v instanceof Number && !(v instanceof Double || v instanceof Float)) {
            md.update(number.put((byte) 1).putLong(((Number) v).longValue()).array());
          } else if (v instanceof Number) {
            md.update(number.put((byte) 2).putLong(Double.doubleToLongBits(((Number) v).doubleValue())).array());
          } else if (v instanceof byte[]) {
            byte[] b = (byte[]) v;
            md.update(number.put((byte) 3).putLong(b.length).array());
            md.update(b);
          } else {
            byte[] b = v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            md.update(number.put((byte) 4).putLong(b.length).array());
            md.update(b);
          }
        }
      }
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
    return new TableDigest(rows, java.util.HexFormat.of().formatHex(md.digest()));
  }

  /** Names of the ordinary (not virtual) tables of main, sorted. */
  List<String> ordinaryTables() throws SqliteFailure {
    List<String> names = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM main.sqlite_schema WHERE type = 'table'"
            + " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
    return names;
  }

  /**
   * Runs an assertion query and returns null when its first row's first column is true
   * (non-zero), else what was wrong with it.
   */
  String failedAssertion(String sql) {
    try (Statement s = connection.createStatement()) {
      if (!s.execute(sql)) {
        return "returned no rows";
      }
      try (ResultSet rs = s.getResultSet()) {
        if (!rs.next()) {
          return "returned no rows";
        }
        Object v = rs.getObject(1);
        boolean truthy = v instanceof Number ? ((Number) v).doubleValue() != 0
            : v instanceof String && isTruthyText((String) v);
        return truthy ? null : "returned " + (v == null ? "NULL" : v.toString());
      }
    } catch (SQLException e) {
      return "failed: " + e.getMessage();
    }
  }

  private static boolean isTruthyText(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("true")) {
      return true;
    }
    try {
      return Double.parseDouble(t) != 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
