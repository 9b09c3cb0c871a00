package dev.sqlbak.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes consistent, checked backups of live SQLite databases with the online backup API and
 * publishes them atomically. Never prints and never exits: progress goes to a {@link
 * ProgressListener}, failures are thrown as {@link SqlbakException}.
 */
public final class BackupEngine {
  private static final Logger LOG = LoggerFactory.getLogger(BackupEngine.class);
  private static final int HASH_BUFFER = 1 << 20;

  /** Where the copies go, resolved from the request's destination. */
  private enum TargetKind { FILE, DIRECTORY, MEMORY }

  /** One schema being copied: where it comes from and where its copy is staged. */
  private static final class Stage {
    final String schema;
    final Path sourceFile;
    AtomicDestination file;
    SqliteDatabase memory;
    long pageSize;
    long pageCount;
    List<TableRows> tables = List.of();
    String sha256;
    long bytes;
    Path published;

    Stage(String schema, Path sourceFile) {
      this.schema = schema;
      this.sourceFile = sourceFile;
    }
  }

  static Duration defaultBusyTimeout() {
    return DurationText.parse(BackupRequest.DEFAULT_BUSY_TIMEOUT);
  }

  /** SQLite's version as bundled in the driver, for {@code --version}. */
  public static String sqliteVersion() {
    return SqliteDatabase.sqliteVersion();
  }

  /** Runs one backup as the request describes; see the contract's "backup" section. */
  public BackupResult backup(BackupRequest request, ProgressListener listener) {
    return backup(request, listener, true);
  }

  /** As {@link #backup}; without {@code sidecar} no .sha256 is written (restore's safety copy). */
  BackupResult backup(BackupRequest request, ProgressListener listener, boolean sidecar) {
    Instant started = Instant.now();
    Path source = request.source();
    requireDatabaseFile(source, "source");
    for (Path attached : request.attachments().values()) {
      requireDatabaseFile(attached, "attached database");
    }
    checkAttachmentNames(request);
    TargetKind kind = targetKind(request);
    Path destination = kind == TargetKind.MEMORY ? null : destinationPath(request);
    if (kind == TargetKind.FILE) {
      checkFileDestination(request, destination);
    }

    List<Stage> stages = new ArrayList<>();
    try (SqliteDatabase db = openSource(request)) {
      for (String schema : request.schemas()) {
        stages.add(new Stage(schema, schemaFile(request, schema)));
      }
      Instant snapshotTime = Instant.now();
      try {
        db.beginSnapshot(request.schemas());
      } catch (SqliteFailure f) {
        throw sourceFailure(f, source, request.busyTimeout());
      }
      for (Stage stage : stages) {
        copy(db, stage, request, kind == TargetKind.MEMORY ? null : folderOf(kind, destination), listener);
      }
      // The copies are complete: release the source before checking, so that a rollback-journal
      // source's writers wait for the copy only, not for the check.
      endSnapshot(db, source);
      for (Stage stage : stages) {
        finish(stage, request.check());
      }
      if (kind != TargetKind.MEMORY) {
        for (Stage stage : stages) {
          publish(stage, kind, destination, snapshotTime, request.force(), sidecar);
        }
      }
      List<BackupCopy> copies = new ArrayList<>();
      for (Stage s : stages) {
        copies.add(new BackupCopy(s.schema, s.sourceFile, s.published, s.pageSize, s.pageCount,
            s.bytes, s.sha256, request.check(), s.tables));
      }
      return new BackupResult(copies, snapshotTime, Duration.between(started, Instant.now()));
    } finally {
      for (Stage stage : stages) {
        if (stage.file != null) {
          stage.file.close();
        }
        if (stage.memory != null) {
          stage.memory.close();
        }
      }
    }
  }

  static void requireDatabaseFile(Path file, String role) {
    if (!Files.exists(file)) {
      throw SqlbakException.failed(role + " not found", file, null);
    }
    if (Files.isDirectory(file)) {
      throw SqlbakException.failed(role + " is a directory", file, "name a database file");
    }
    if (!Files.isRegularFile(file)) {
      throw SqlbakException.failed(role + " is not a regular file", file, "name a database file");
    }
    try {
      if (Files.size(file) == 0) {
        throw SqlbakException.failed(role + " is empty (0 bytes), not a database", file, null);
      }
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read " + role, file, e.getMessage(), e);
    }
    if (!Files.isReadable(file)) {
      throw SqlbakException.failed("cannot read " + role, file, "permission denied");
    }
  }

  private static void checkAttachmentNames(BackupRequest request) {
    for (String name : request.attachments().keySet()) {
      if (name.isEmpty() || name.equalsIgnoreCase("main") || name.equalsIgnoreCase("temp")) {
        throw SqlbakException.usage("invalid --attach name", "'" + name + "'",
            "main and temp are taken; use another schema name");
      }
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String schema : request.schemas()) {
      if (!seen.add(schema)) {
        throw SqlbakException.usage("schema named twice", schema, null);
      }
    }
  }

  private static TargetKind targetKind(BackupRequest request) {
    if (request.toMemory()) {
      return TargetKind.MEMORY;
    }
    return Files.isDirectory(destinationPath(request)) ? TargetKind.DIRECTORY : TargetKind.FILE;
  }

  private static Path destinationPath(BackupRequest request) {
    String dest = request.destination() == null ? "." : request.destination();
    return Path.of(dest).toAbsolutePath().normalize();
  }

  private static Path folderOf(TargetKind kind, Path destination) {
    return kind == TargetKind.DIRECTORY ? destination : destination.getParent();
  }

  private static void checkFileDestination(BackupRequest request, Path dest) {
    if (request.schemas().size() > 1) {
      throw SqlbakException.failed("several schemas need a directory destination", dest,
          "name an existing directory; each schema gets its own timestamped file there");
    }
    String raw = request.destination();
    if (raw != null && raw.endsWith("/")) {
      // "out/" names a folder; quietly creating a file called "out" would surprise everyone.
      throw SqlbakException.failed("destination folder does not exist", dest, "create it first");
    }
    Path parent = dest.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw SqlbakException.failed("destination folder does not exist", parent, "create it first");
    }
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> sources = new ArrayList<>(request.attachments().values());
      sources.add(request.source());
      for (Path s : sources) {
        if (sameFile(s, dest)) {
          throw SqlbakException.failed("destination is the source itself", dest,
              "a backup must go to another file");
        }
      }
      if (!request.force()) {
        throw SqlbakException.failed("destination exists", dest, "use --force to replace it");
      }
      if (!Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dest)) {
        // --force replaces backups, not device nodes, FIFOs or sockets.
        throw SqlbakException.failed("destination is not a regular file", dest,
            "sqlbak replaces only files and symlinks");
      }
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static Path schemaFile(BackupRequest request, String schema) {
    return BackupRequest.DEFAULT_SCHEMA.equals(schema)
        ? request.source()
        : request.attachments().getOrDefault(schema, request.source());
  }

  private static SqliteDatabase openSource(BackupRequest request) {
    Path source = request.source();
    SqliteDatabase db;
    try {
      db = SqliteDatabase.openReadOnly(source, request.busyTimeout());
    } catch (SqliteFailure f) {
      throw sourceFailure(f, source, request.busyTimeout());
    }
    try {
      for (Map.Entry<String, Path> a : request.attachments().entrySet()) {
        try {
          db.attachReadOnly(a.getKey(), a.getValue());
        } catch (SqliteFailure f) {
          throw sourceFailure(f, a.getValue(), request.busyTimeout());
        }
      }
      List<String> known;
      try {
        known = db.schemaNames();
      } catch (SqliteFailure f) {
        throw sourceFailure(f, source, request.busyTimeout());
      }
      known.remove("temp");
      for (String schema : request.schemas()) {
        if (!known.contains(schema)) {
          throw SqlbakException.failed("unknown schema", schema,
              "the source has " + String.join(", ", known) + "; attach others with --attach NAME=FILE");
        }
      }
      return db;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  static SqlbakException sourceFailure(SqliteFailure f, Path file, Duration busyTimeout) {
    return databaseFailure(f, file, busyTimeout, "source");
  }

  /** Turns a failure to read {@code file} (in the given role) into sqlbak's one-line message. */
  static SqlbakException databaseFailure(SqliteFailure f, Path file, Duration busyTimeout, String role) {
    switch (f.reason()) {
      case BUSY:
        return SqlbakException.failed(role + " is locked", file,
            "another process held a lock longer than --busy-timeout "
                + DurationText.format(busyTimeout), f);
      case NOT_A_DATABASE:
        return SqlbakException.failed("not a SQLite database", file, null, f);
      case CORRUPT:
        return SqlbakException.failed(role + " is corrupt", file,
            "check it with: sqlite3 " + file + " 'PRAGMA integrity_check'", f);
      case CANT_OPEN:
        return SqlbakException.failed("cannot open " + role, file, f.getMessage(), f);
      default:
        return SqlbakException.failed("cannot read " + role, file, f.getMessage(), f);
    }
  }

  private void copy(SqliteDatabase db, Stage stage, BackupRequest request, Path folder,
      ProgressListener listener) {
    String target;
    try {
      stage.pageSize = db.pageSize(stage.schema);
      stage.pageCount = db.pageCount(stage.schema);
    } catch (SqliteFailure f) {
      throw sourceFailure(f, stage.sourceFile, request.busyTimeout());
    }
    if (folder == null) {
      try {
        stage.memory = SqliteDatabase.openMemory();
      } catch (SqliteFailure f) {
        throw SqlbakException.failed("cannot open an in-memory database", f.getMessage(), null, f);
      }
      target = stage.memory.backupTargetName();
    } else {
      try {
        stage.file = AtomicDestination.create(folder);
      } catch (IOException e) {
        throw SqlbakException.failed("cannot write to destination folder", folder, reason(e), e);
      }
      target = stage.file.file().toString();
    }
    int step = request.stepFor(stage.pageCount);
    LOG.debug("copying schema {} of {}: {} pages of {} bytes, {} pages per step",
        stage.schema, stage.sourceFile, stage.pageCount, stage.pageSize, step);
    long[] highest = {0};
    long t0 = System.nanoTime();
    try {
      db.copyTo(stage.schema, target, step, request.busyTimeout(), (copied, total) -> {
        if (copied >= highest[0]) {
          highest[0] = copied;
          listener.copied(stage.schema, copied, total);
        }
      });
    } catch (SqliteFailure f) {
      throw copyFailure(f, stage, folder, request);
    }
    LOG.debug("copied schema {} in {} ms", stage.schema, (System.nanoTime() - t0) / 1_000_000);
    listener.copyFinished(stage.schema, stage.pageCount);
  }

  private static SqlbakException copyFailure(SqliteFailure f, Stage stage, Path folder,
      BackupRequest request) {
    String where = folder == null ? "memory" : folder.toString();
    switch (f.reason()) {
      case DISK_FULL:
        return SqlbakException.failed("destination is full", where,
            "free some space; nothing was written", f);
      case IO_ERROR:
      case READ_ONLY:
      case CANT_OPEN:
        return SqlbakException.failed("cannot write backup", where, f.getMessage(), f);
      default:
        return sourceFailure(f, stage.sourceFile, request.busyTimeout());
    }
  }

  private static void endSnapshot(SqliteDatabase db, Path source) {
    try {
      db.endSnapshot();
    } catch (SqliteFailure f) {
      LOG.debug("ending the read transaction on {}", source, f);
    }
  }

  /** Makes the staged copy self-contained, checks it, and for files hashes the final bytes. */
  private static void finish(Stage stage, CheckLevel check) {
    List<String> problems;
    if (stage.memory != null) {
      try {
        problems = stage.memory.check(check);
        stage.tables = stage.memory.tableRowCounts();
        stage.bytes = stage.pageCount * stage.pageSize;
      } catch (SqliteFailure f) {
        throw SqlbakException.failed("cannot check the copy", stage.sourceFile, f.getMessage(), f);
      }
      requirePassed(stage, check, problems);
      return;
    }
    Path file = stage.file.file();
    long copiedPages;
    try (SqliteDatabase copy = SqliteDatabase.openOwnCopy(file)) {
      // A WAL source's copy says "WAL" in its header; the published backup must be one file.
      copy.useRollbackJournal();
      problems = copy.check(check);
      copiedPages = copy.pageCount("main");
    } catch (SqliteFailure f) {
      if (f.reason() == SqliteFailure.Reason.DISK_FULL) {
        throw SqlbakException.failed("destination is full", stage.file.folder(),
            "free some space; nothing was written", f);
      }
      if (f.reason() == SqliteFailure.Reason.CORRUPT || f.reason() == SqliteFailure.Reason.NOT_A_DATABASE) {
        problems = List.of(f.getMessage());
        requirePassed(stage, check == CheckLevel.NONE ? CheckLevel.QUICK : check, problems);
      }
      throw SqlbakException.failed("cannot check the copy", file, f.getMessage(), f);
    }
    requirePassed(stage, check, problems);
    if (copiedPages != stage.pageCount) {
      throw SqlbakException.failed("copy is incomplete", stage.sourceFile,
          copiedPages + " of " + stage.pageCount + " pages; nothing was published");
    }
    try {
      stage.bytes = Files.size(file);
      stage.sha256 = sha256(file);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read the copy", file, reason(e), e);
    }
  }

  private static void requirePassed(Stage stage, CheckLevel check, List<String> problems) {
    if (!problems.isEmpty()) {
      throw SqlbakException.failed(check.pragma() + " of the copy failed",
          stage.sourceFile + ": " + problems.get(0)
              + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""),
          "the source may be corrupt; nothing was published; check it with: sqlite3 "
              + stage.sourceFile + " 'PRAGMA integrity_check'");
    }
  }

  private static void publish(Stage stage, TargetKind kind, Path destination, Instant snapshotTime,
      boolean force, boolean sidecar) {
    AtomicDestination dest = stage.file;
    try {
      if (kind == TargetKind.FILE) {
        if (sidecar) {
          dest.prepareSidecar(sidecarLine(stage.sha256, destination));
          if (force) {
            // An old sidecar beside the new backup would not match it; a missing one is honest.
            Files.deleteIfExists(sidecarOf(destination));
          }
        }
        dest.publish(destination, force);
        stage.published = destination;
      } else {
        String stem = BackupNames.stemOf(stage.sourceFile);
        Instant when = snapshotTime;
        while (stage.published == null) {
          when = BackupNames.nextFree(destination, stem, when);
          Path target = destination.resolve(BackupNames.nameFor(stem, when));
          if (sidecar) {
            dest.prepareSidecar(sidecarLine(stage.sha256, target));
          }
          try {
            dest.publish(target, false);
            stage.published = target;
          } catch (FileAlreadyExistsException raced) {
            LOG.debug("{} was taken meanwhile; trying the next second", target);
          }
        }
      }
    } catch (FileAlreadyExistsException e) {
      throw SqlbakException.failed("destination exists", destination,
          "it appeared while the backup ran; use --force to replace it", e);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot write backup", destination, reason(e), e);
    }
    if (!sidecar) {
      return;
    }
    try {
      dest.publishSidecar(sidecarOf(stage.published));
    } catch (IOException e) {
      LOG.warn("backup {} is complete, but its checksum file could not be written: {}",
          stage.published, reason(e));
    }
  }

  private static String sidecarLine(String sha256, Path target) {
    return sha256 + "  " + target.getFileName() + "\n";
  }

  /** The checksum file beside a backup: {@code <backup>.sha256}. */
  public static Path sidecarOf(Path backup) {
    return backup.resolveSibling(backup.getFileName() + ".sha256");
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    byte[] buffer = new byte[HASH_BUFFER];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A short reason for an I/O failure: the OS's words where Java kept them. */
  static String reason(IOException e) {
    if (e instanceof java.nio.file.FileSystemException) {
      String r = ((java.nio.file.FileSystemException) e).getReason();
      if (r != null) {
        return r;
      }
      if (e instanceof java.nio.file.AccessDeniedException) {
        return "permission denied";
      }
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
