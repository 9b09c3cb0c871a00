package dev.sqlbak.check;

import java.nio.file.Path;
import java.util.List;

/**
 * What verification found about one backup file.
 *
 * @param file the file examined
 * @param status good, bad, or unreadable (missing)
 * @param problems what is wrong, empty when good
 * @param checks what was checked, in order (e.g. "sha256", "integrity_check")
 */
public record Verdict(Path file, Status status, List<String> problems, List<String> checks) {
  /** The outcome of verifying one file. */
  public enum Status {
    /** Every check passed. */
    OK,
    /** The file is not a sound backup: it exists but a check failed, or it is not a database. */
    BAD,
    /** The file could not be read at all (missing, a directory, no permission). */
    UNREADABLE
  }

  public Verdict {
    problems = List.copyOf(problems);
    checks = List.copyOf(checks);
  }

  public boolean ok() {
    return status == Status.OK;
  }
}
