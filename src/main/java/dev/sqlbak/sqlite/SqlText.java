package dev.sqlbak.sqlite;

import java.nio.file.Path;

/** Writes identifiers, values and file names into SQL text and URIs so that none changes their meaning. */
final class SqlText {
  private SqlText() {}

  /** Double-quotes an identifier for SQL text. */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** Single-quotes a value for SQL text where no parameter can go, such as a PRAGMA's. */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** A {@code file:} URI for SQLite, with the path percent-encoded so that ?, # and % stay literal. */
  static String uriOf(Path file) {
    return "file:" + file.toAbsolutePath().toUri().getRawPath();
  }
}
