package dev.sqlbak.engine;

import dev.sqlbak.age.Recipients;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.retention.RetentionPolicy;
import dev.sqlbak.sqlite.SqlText;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one backup run needs; the single home of backup defaults, which the CLI's options
 * refer to.
 *
 * @param source the database file to copy; opened read-only, never created
 * @param destination a file path, an existing directory, {@link #MEMORY}, or null for the current
 *     directory
 * @param schemas source schemas to copy, each into its own file
 * @param attachments extra files attached read-only to the source connection, by schema name
 * @param pagesPerStep pages per backup step, {@link #ALL_PAGES} for one step, or null for automatic
 * @param check how the copy is checked before it is published
 * @param busyTimeout how long to wait for a lock on the source
 * @param force whether an existing destination file may be replaced
 * @param compression how to store the backup; null takes it from the destination's suffix
 *     ({@code .gz}, {@code .zst}), else none
 * @param retention old backups of the source's stem to remove from a directory destination after
 *     the new backup is published, or null to remove none
 * @param compact copy with VACUUM INTO (smaller, defragmented, no page progress) instead of the
 *     online backup API
 * @param tables the only tables to copy, table by table into a fresh file (a logical partial
 *     backup); empty copies the whole schema
 * @param name the name part of timestamped backups ({@code --name}), or null for the source
 *     file's stem
 * @param s3 how to reach S3, for an {@code s3://} destination
 * @param recipients who the backup is encrypted to with age ({@code --encrypt-to}); none by
 *     default, and then it is not encrypted
 */
public record BackupRequest(
    Path source,
    String destination,
    List<String> schemas,
    Map<String, Path> attachments,
    Integer pagesPerStep,
    CheckLevel check,
    Duration busyTimeout,
    boolean force,
    Compression compression,
    RetentionPolicy retention,
    boolean compact,
    List<String> tables,
    String name,
    S3Options s3,
    Recipients recipients) {

  /** The destination that copies into memory, checks, summarizes and writes nothing. */
  public static final String MEMORY = ":memory:";
  /** The destination that streams the finished, checked backup to a given output stream. */
  public static final String STREAM = "-";
  /** Schema copied when none is named. */
  public static final String DEFAULT_SCHEMA = "main";
  /** {@code --pages} value that copies everything in one step. */
  public static final int ALL_PAGES = -1;
  /** Default of {@code --check}. */
  public static final String DEFAULT_CHECK = "quick";
  /** Default of {@code --busy-timeout}. */
  public static final String DEFAULT_BUSY_TIMEOUT = "5s";
  /**
   * Automatic step size, in bytes: on 2 cores with a warm page cache a step this large takes about
   * 100-200 ms, so progress moves several times a second, while the step size itself costs nothing
   * measurable (256 pages per step up to one step for everything: within 2 % on 1 GiB).
   */
  public static final long AUTOMATIC_STEP_BYTES = 192L << 20;
  /** The smallest automatic step, for databases with very large pages. */
  public static final int MIN_AUTOMATIC_PAGES = 256;

  public BackupRequest {
    Objects.requireNonNull(source, "source");
    s3 = s3 == null ? S3Options.DEFAULTS : s3;
    recipients = recipients == null ? Recipients.NONE : recipients;
    schemas = schemas == null || schemas.isEmpty() ? List.of(DEFAULT_SCHEMA) : List.copyOf(schemas);
    attachments = attachments == null ? Map.of() : new LinkedHashMap<>(attachments);
    check = check == null ? CheckLevel.valueOf(DEFAULT_CHECK.toUpperCase(java.util.Locale.ROOT)) : check;
    busyTimeout = busyTimeout == null ? DurationText.parse(DEFAULT_BUSY_TIMEOUT) : busyTimeout;
    tables = tables == null ? List.of() : List.copyOf(tables);
    if (!tables.isEmpty()) {
      checkTables(tables, schemas, pagesPerStep, compact);
    }
    if (name != null) {
      checkName(name, schemas);
    }
    if (compact && pagesPerStep != null) {
      throw SqlbakException.usage("--compact cannot go with --pages", pagesPerStep,
          "VACUUM INTO copies in one statement, without page steps");
    }
    if (pagesPerStep != null && (pagesPerStep == 0 || pagesPerStep < ALL_PAGES)) {
      throw SqlbakException.usage(
          "invalid --pages", pagesPerStep, "use a positive number of pages, or -1 for all at once");
    }
  }

  /** A request with every default: back up {@code source}'s main schema into {@code destination}. */
  public static BackupRequest of(Path source, String destination) {
    return new BackupRequest(source, destination, null, null, null, null, null, false, null, null, false, null, null,
        S3Options.DEFAULTS, Recipients.NONE);
  }

  /** A request as the canonical constructor makes it, with S3 reached as the SDK's chains say. */
  public BackupRequest(Path source, String destination, List<String> schemas, Map<String, Path> attachments,
      Integer pagesPerStep, CheckLevel check, Duration busyTimeout, boolean force, Compression compression,
      RetentionPolicy retention, boolean compact, List<String> tables, String name) {
    this(source, destination, schemas, attachments, pagesPerStep, check, busyTimeout, force, compression, retention,
        compact, tables, name, S3Options.DEFAULTS, Recipients.NONE);
  }

  public BackupRequest withS3(S3Options newS3) {
    return new BackupRequest(source, destination, schemas, attachments, pagesPerStep, check, busyTimeout, force,
        compression, retention, compact, tables, name, newS3, recipients);
  }

  public BackupRequest withRecipients(Recipients newRecipients) {
    return new BackupRequest(source, destination, schemas, attachments, pagesPerStep, check, busyTimeout, force,
        compression, retention, compact, tables, name, s3, newRecipients);
  }

  /** Whether the destination is an S3 location ({@code s3://bucket/prefix/} or {@code s3://bucket/key}). */
  public boolean toS3() {
    return destination != null && destination.startsWith(Location.S3_SCHEME);
  }

  /** The pages per step to use for a schema whose pages are {@code pageSize} bytes. */
  public int stepFor(long pageSize) {
    if (pagesPerStep != null) {
      return pagesPerStep;
    }
    return (int) Math.max(MIN_AUTOMATIC_PAGES, AUTOMATIC_STEP_BYTES / Math.max(512, pageSize));
  }

  /** Whether the destination is the in-memory check-and-summarize mode. */
  public boolean toMemory() {
    return MEMORY.equals(destination);
  }

  public BackupRequest withDestination(String newDestination) {
    return new BackupRequest(
        source, newDestination, schemas, attachments, pagesPerStep, check, busyTimeout, force, compression, retention, compact, tables, name, s3, recipients);
  }

  public BackupRequest withForce(boolean newForce) {
    return new BackupRequest(
        source, destination, schemas, attachments, pagesPerStep, check, busyTimeout, newForce, compression, retention, compact, tables, name, s3, recipients);
  }

  public BackupRequest withPages(Integer newPagesPerStep) {
    return new BackupRequest(
        source, destination, schemas, attachments, newPagesPerStep, check, busyTimeout, force, compression, retention, compact, tables, name, s3, recipients);
  }

  public BackupRequest withSchemas(List<String> newSchemas, Map<String, Path> newAttachments) {
    return new BackupRequest(
        source, destination, newSchemas, newAttachments, pagesPerStep, check, busyTimeout, force, compression, retention, compact, tables, name, s3, recipients);
  }

  public BackupRequest withCompression(Compression newCompression) {
    return new BackupRequest(
        source, destination, schemas, attachments, pagesPerStep, check, busyTimeout, force, newCompression, retention, compact, tables, name, s3, recipients);
  }

  public BackupRequest withRetention(RetentionPolicy newRetention) {
    return new BackupRequest(source, destination, schemas, attachments, pagesPerStep, check, busyTimeout,
        force, compression, newRetention, compact, tables, name, s3, recipients);
  }

  public BackupRequest withCompact(boolean newCompact) {
    return new BackupRequest(source, destination, schemas, attachments, pagesPerStep, check, busyTimeout,
        force, compression, retention, newCompact, tables, name, s3, recipients);
  }

  public BackupRequest withTables(List<String> newTables) {
    return new BackupRequest(source, destination, schemas, attachments, pagesPerStep, check, busyTimeout,
        force, compression, retention, compact, newTables, name, s3, recipients);
  }

  /** Whether the copy is page by page through the online backup API (not --compact, not --table). */
  public boolean copiesPages() {
    return !compact && tables.isEmpty();
  }

  private static void checkTables(List<String> tables, List<String> schemas, Integer pagesPerStep,
      boolean compact) {
    if (pagesPerStep != null) {
      throw SqlbakException.usage("--table cannot go with --pages", pagesPerStep,
          "a table backup copies rows in one transaction, without page steps");
    }
    if (compact) {
      throw SqlbakException.usage("--table cannot go with --compact", String.join(", ", tables),
          "a table backup is written afresh into a new file, so it is compact already");
    }
    if (schemas.size() > 1) {
      throw SqlbakException.usage("--table copies from one schema", String.join(", ", schemas),
          "back up the tables of each schema in its own run");
    }
    // SQLite's table names are case-insensitive, for ASCII letters only.
    Set<String> seen = new HashSet<>();
    for (String table : tables) {
      if (!seen.add(SqlText.foldedName(table))) {
        throw SqlbakException.usage("table named twice", table, null);
      }
    }
  }

  public BackupRequest withName(String newName) {
    return new BackupRequest(source, destination, schemas, attachments, pagesPerStep, check, busyTimeout, force,
        compression, retention, compact, tables, newName, s3, recipients);
  }

  /** The name of the series {@code file} (the source's, or an attached one) is backed up in. */
  public String seriesName(Path file) {
    if (name != null) {
      return name;
    }
    String fileName = file.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }

  private static void checkName(String name, List<String> schemas) {
    if (name.isEmpty() || name.startsWith(".") || name.contains("/") || hasControlCharacter(name)) {
      throw SqlbakException.usage("invalid --name", "'" + name.replaceAll("\\p{Cntrl}", "?") + "'",
          "a file name part: not empty, no '/' or control character, not starting with '.'");
    }
    if (schemas.size() > 1) {
      throw SqlbakException.usage("--name cannot go with several schemas", String.join(", ", schemas),
          "each schema is named after its own file");
    }
  }

  /**
   * Whether {@code text} holds a control character (a line break, a tab): a backup's name holding
   * one could not be written on one line of its sidecar, nor be read back as a backup name.
   */
  public static boolean hasControlCharacter(String text) {
    return text.codePoints().anyMatch(Character::isISOControl);
  }

  /** Whether the destination is a stream rather than a place in the filesystem. */
  public boolean toStream() {
    return STREAM.equals(destination);
  }

  public BackupRequest withCheck(CheckLevel newCheck) {
    return new BackupRequest(
        source, destination, schemas, attachments, pagesPerStep, newCheck, busyTimeout, force, compression, retention, compact, tables, name, s3, recipients);
  }

  public BackupRequest withBusyTimeout(Duration newBusyTimeout) {
    return new BackupRequest(
        source, destination, schemas, attachments, pagesPerStep, check, newBusyTimeout, force, compression, retention, compact, tables, name, s3, recipients);
  }
}
