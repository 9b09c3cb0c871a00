package dev.sqlbak.check;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What verification found about one backup file.
 *
 * @param file the file examined
 * @param status good, bad, or unreadable (missing)
 * @param problems what is wrong, empty when good
 * @param checks what was checked, in order (e.g. "sha256", "integrity_check")
 * @param hint what the user should know or do about the problems, if anything
 */
public record Verdict(Path file, Status status, List<String> problems, List<String> checks, Optional<String> hint) {
  /** The outcome of verifying one file. */
  public enum Status {
    /** Every check passed. */
    OK,
    /** The file is not a sound backup: it exists but a check failed, or it is not a database. */
    BAD,
    /** The file could not be read at all (missing, a directory, no permission). */
    UNREADABLE,
    /** A folder given to verify holds none of sqlbak's timestamped backups: nothing could be verified. */
    NO_BACKUPS
  }

  public Verdict {
    problems = List.copyOf(problems);
    checks = List.copyOf(checks);
    hint = hint == null ? Optional.empty() : hint;
  }

  /** A verdict with nothing more to say than its problems. */
  public Verdict(Path file, Status status, List<String> problems, List<String> checks) {
    this(file, status, problems, checks, Optional.empty());
  }

  /** The verdict on a folder that holds no backups to verify. */
  public static Verdict noBackups(Path folder) {
    return new Verdict(folder, Status.NO_BACKUPS, List.of("no backups found"), List.of());
  }

  public boolean ok() {
    return status == Status.OK;
  }
}
