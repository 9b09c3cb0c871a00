package dev.sqlbak.check;

/** How thoroughly a copy is checked before it is published. */
public enum CheckLevel {
  /** PRAGMA quick_check: structure and page-level consistency, no index-to-table matching. */
  QUICK("quick_check"),
  /** PRAGMA integrity_check: everything quick_check does plus index contents. */
  FULL("integrity_check"),
  /** No check; the copy is trusted as SQLite's backup API produced it. */
  NONE("none");

  private final String pragma;

  CheckLevel(String pragma) {
    this.pragma = pragma;
  }

  /** The PRAGMA that runs this check, or "none". */
  public String pragma() {
    return pragma;
  }
}
