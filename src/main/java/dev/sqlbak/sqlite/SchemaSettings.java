package dev.sqlbak.sqlite;

import static dev.sqlbak.sqlite.SqlText.quote;

import dev.sqlbak.sqlite.SqliteDatabase.ListedTable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and changes the settings of a {@link SqliteDatabase}'s schemas through PRAGMAs, and lists
 * their schemas and tables.
 */
final class SchemaSettings {
  private final Connection connection;

  SchemaSettings(Connection connection) {
    this.connection = connection;
  }

  /** Schema names in this connection (main, temp and attached). */
  List<String> schemaNames() throws SqliteFailure {
    List<String> names = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA database_list")) {
      while (rs.next()) {
        names.add(rs.getString(2));
      }
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
    return names;
  }

  /** The journal mode of {@code schema}, such as wal or delete. */
  String journalMode(String schema) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + quote(schema) + ".journal_mode")) {
      return rs.next() ? rs.getString(1) : "";
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** A PRAGMA's single numeric value, such as page_count or user_version. */
  long pragmaLong(String schema, String pragma) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + quote(schema) + "." + pragma)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** The tables, views and virtual tables of {@code schema} (not the temp schema's). */
  List<ListedTable> tableList(String schema) throws SqliteFailure {
    List<ListedTable> tables = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + quote(schema) + ".table_list")) {
      while (rs.next()) {
        tables.add(new ListedTable(rs.getString("name"), rs.getString("type"), rs.getInt("wr") != 0));
      }
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
    return tables;
  }

  /** Switches an own copy to rollback-journal mode so that it is one self-contained file. */
  void useRollbackJournal() throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode=DELETE")) {
      String mode = rs.next() ? rs.getString(1) : "";
      if (!"delete".equalsIgnoreCase(mode)) {
        throw new SqliteFailure(SqliteFailure.Reason.OTHER, "journal mode stayed " + mode, null);
      }
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /**
   * Reads the main schema once, as an application's first read does: on a read-write connection
   * SQLite then rolls back a hot journal that a crashed writer left, so that the file holds its
   * last committed content again.
   */
  void readSchema() throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM main.sqlite_schema")) {
      rs.next();
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** Sets the journal mode of the main schema, e.g. back to what a restore target had. */
  void setJournalMode(String mode) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA main.journal_mode = " + quote(mode))) {
      rs.next();
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }

  /** A PRAGMA's single text value, such as encoding or journal_mode. */
  String pragmaText(String schema, String pragma) throws SqliteFailure {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + quote(schema) + "." + pragma)) {
      return rs.next() ? rs.getString(1) : "";
    } catch (SQLException e) {
      throw SqliteFailure.of(e);
    }
  }
}
