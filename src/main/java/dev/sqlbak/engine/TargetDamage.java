package dev.sqlbak.engine;

import java.util.Locale;

/**
 * What is wrong with a restore target that is not a sound database, found before anything is
 * written to it.
 *
 * @param kind which way it is damaged
 * @param detail what was seen, for the user's line (never null)
 */
public record TargetDamage(Kind kind, String detail) {
  /** Room for the first problem SQLite names; quick_check's lines can run to kilobytes. */
  private static final int MAX_DETAIL = 160;

  /** The ways a target is found damaged, from the cheapest look to the deepest. */
  public enum Kind {
    /** A 0-byte file: the contract says it is not a database. */
    EMPTY,
    /** The first bytes are not a SQLite header, or SQLite says SQLITE_NOTADB. */
    NOT_A_DATABASE,
    /** Shorter than the page count its own header names. */
    TRUNCATED,
    /** quick_check fails, or SQLite reports SQLITE_CORRUPT while reading it. */
    CORRUPT;

    /** The name in --json: camelCase, as every key and value there. */
    public String jsonName() {
      String[] words = name().toLowerCase(Locale.ROOT).split("_");
      StringBuilder b = new StringBuilder(words[0]);
      for (int i = 1; i < words.length; i++) {
        b.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
      }
      return b.toString();
    }
  }

  public TargetDamage {
    if (kind == null || detail == null) {
      throw new IllegalArgumentException("a damage has a kind and a detail");
    }
    String oneLine = detail.replaceAll("\\s+", " ").trim();
    detail = oneLine.length() > MAX_DETAIL ? oneLine.substring(0, MAX_DETAIL - 3) + "..." : oneLine;
  }

  /** For the user's line: {@code truncated: 8192 of 16384 bytes}. */
  public String describe() {
    switch (kind) {
      case EMPTY:
        return "empty, 0 bytes";
      case NOT_A_DATABASE:
        return "not a SQLite database: " + detail;
      case TRUNCATED:
        return "truncated: " + detail;
      default:
        return "corrupt: " + detail;
    }
  }
}
