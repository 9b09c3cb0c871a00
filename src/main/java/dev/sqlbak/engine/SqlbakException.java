package dev.sqlbak.engine;

import java.util.Objects;

/** A failure the user can act on, carrying the parts of sqlbak's one-line error message and its kind. */
public class SqlbakException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, which decides the exit code. */
  public enum Kind {
    /** The operation could not be done; nothing bad was left behind. */
    FAILED,
    /** The request itself is invalid (options that cannot go together, bad values). */
    USAGE,
    /** A backup was examined and found bad. */
    BAD_BACKUP
  }

  private final Kind kind;
  private final String what;
  private final String detail;
  private final String hint;

  public SqlbakException(Kind kind, String what, String detail, String hint, Throwable cause) {
    super(format(what, detail, hint), cause);
    this.kind = Objects.requireNonNull(kind);
    this.what = Objects.requireNonNull(what);
    this.detail = detail;
    this.hint = hint;
  }

  public SqlbakException(Kind kind, String what, String detail, String hint) {
    this(kind, what, detail, hint, null);
  }

  /** An operation that could not be done (exit 1). */
  public static SqlbakException failed(String what, Object detail, String hint) {
    return new SqlbakException(Kind.FAILED, what, String.valueOf(detail), hint);
  }

  /** An operation that could not be done (exit 1), keeping the underlying cause for --verbose. */
  public static SqlbakException failed(String what, Object detail, String hint, Throwable cause) {
    return new SqlbakException(Kind.FAILED, what, String.valueOf(detail), hint, cause);
  }

  /** A request that is invalid as given (exit 2). */
  public static SqlbakException usage(String what, Object detail, String hint) {
    return new SqlbakException(Kind.USAGE, what, String.valueOf(detail), hint);
  }

  public Kind kind() {
    return kind;
  }

  public String what() {
    return what;
  }

  public String detail() {
    return detail;
  }

  public String hint() {
    return hint;
  }

  private static String format(String what, String detail, String hint) {
    StringBuilder line = new StringBuilder(what);
    if (detail != null && !detail.isEmpty()) {
      line.append(": ").append(detail);
    }
    if (hint != null && !hint.isEmpty()) {
      line.append("; ").append(hint);
    }
    // The message is printed as exactly one line, whatever a driver message contained.
    return line.toString().replace('\n', ' ').replace('\r', ' ');
  }
}
