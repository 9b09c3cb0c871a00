package dev.sqlbak.sqlite;

import java.nio.file.Path;

/** Writes identifiers, values and file names into SQL text and URIs so that none changes their meaning. */
public final class SqlText {
  private SqlText() {}

  /** Double-quotes an identifier for SQL text. */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** Single-quotes a value for SQL text where no parameter can go, such as a PRAGMA's. */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** Folds A-Z only, as SQLite does when it compares identifiers. */
  public static String foldedName(String identifier) {
    StringBuilder b = new StringBuilder(identifier.length());
    for (int i = 0; i < identifier.length(); i++) {
      char c = identifier.charAt(i);
      b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return b.toString();
  }

  /** A {@code file:} URI for SQLite, with the path percent-encoded so that ?, # and % stay literal. */
  static String uriOf(Path file) {
    return "file:" + file.toAbsolutePath().toUri().getRawPath();
  }
}
