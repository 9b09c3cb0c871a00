package dev.sqlbak.check;

import dev.sqlbak.storage.Location;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What verification found about one backup file.
 *
 * @param file the file examined, as the user named it (an S3 object is examined in a local copy)
 * @param status good, bad, or unreadable (missing)
 * @param problems what is wrong, empty when good
 * @param checks what was checked, in order (e.g. "sha256", "integrity_check")
 * @param hint what the user should know or do about the problems, if anything
 */
public record Verdict(Location file, Status status, List<String> problems, List<String> checks, Optional<String> hint) {
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
  public Verdict(Location file, Status status, List<String> problems, List<String> checks) {
    this(file, status, problems, checks, Optional.empty());
  }

  /** A verdict on a local file with nothing more to say than its problems. */
  public Verdict(Path file, Status status, List<String> problems, List<String> checks) {
    this(Location.of(file), status, problems, checks, Optional.empty());
  }

  /** A verdict on a local file. */
  public Verdict(Path file, Status status, List<String> problems, List<String> checks, Optional<String> hint) {
    this(Location.of(file), status, problems, checks, hint);
  }

  /** The same verdict on {@code shown}: a local copy's verdict told of the object it was downloaded from. */
  public Verdict shownAs(Location shown) {
    return new Verdict(shown, status, problems, checks, hint);
  }

  /** The verdict on a folder that holds no backups to verify. */
  public static Verdict noBackups(Location folder) {
    return new Verdict(folder, Status.NO_BACKUPS, List.of("no backups found"), List.of());
  }

  public boolean ok() {
    return status == Status.OK;
  }
}
