package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Which backups to verify and how; the single home of verify defaults.
 *
 * @param backups the files (or S3 objects) to verify, and folders (or S3 prefixes) whose backups to verify
 * @param check integrity_check (FULL, the default) or quick_check (QUICK)
 * @param against a source database to compare each backup with (schema, row counts, content
 *     digests), or null
 * @param assertions read-only queries that must each return a first row whose first column is true
 * @param busyTimeout how long to wait for a lock on {@code against}
 * @param selection which backups of each folder among {@code backups} to verify
 * @param s3 how to reach S3, for {@code s3://} locations among {@code backups}
 * @param identities age identity files ({@code --identity}) that open encrypted backups, whose
 *     content is then checked too; without them only an encrypted backup's sidecar hash is
 */
public record VerifyRequest(List<Location> backups, CheckLevel check, Path against, List<String> assertions,
    Duration busyTimeout, Selection selection, S3Options s3, List<Path> identities) {
  /** Default of {@code verify --check}: the full integrity_check. */
  public static final String DEFAULT_CHECK = "full";

  public VerifyRequest {
    backups = List.copyOf(backups);
    check = check == null ? CheckLevel.valueOf(DEFAULT_CHECK.toUpperCase(java.util.Locale.ROOT)) : check;
    assertions = assertions == null ? List.of() : List.copyOf(assertions);
    busyTimeout = busyTimeout == null ? DurationText.parse(BackupRequest.DEFAULT_BUSY_TIMEOUT) : busyTimeout;
    selection = selection == null ? Selection.EVERY : selection;
    s3 = s3 == null ? S3Options.DEFAULTS : s3;
    identities = identities == null ? List.of() : List.copyOf(identities);
  }

  /** Which of a folder's backups verify checks. */
  public enum Selection {
    /** Every backup in the folder, series by series, newest first. */
    EVERY,
    /** The newest backup of each series in the folder ({@code --latest}): what a nightly job checks. */
    LATEST
  }

  /** Verifies every backup of each local folder among {@code backups}. */
  public VerifyRequest(List<Path> backups, CheckLevel check, Path against, List<String> assertions,
      Duration busyTimeout) {
    this(backups.stream().map(Location::of).toList(), check, against, assertions, busyTimeout, Selection.EVERY,
        S3Options.DEFAULTS, List.of());
  }

  /** Verifies {@code backups} with every default. */
  public static VerifyRequest of(List<Path> backups) {
    return new VerifyRequest(backups, null, null, null, null);
  }

  public VerifyRequest withSelection(Selection newSelection) {
    return new VerifyRequest(backups, check, against, assertions, busyTimeout, newSelection, s3, identities);
  }

  public VerifyRequest withIdentities(List<Path> newIdentities) {
    return new VerifyRequest(backups, check, against, assertions, busyTimeout, selection, s3, newIdentities);
  }
}
