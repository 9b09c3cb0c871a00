package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.copy.FileImageCopy;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.sqlite.TableRows;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.FileSizeLimit;
import dev.sqlbak.tuning.BackgroundPriority;
import dev.sqlbak.tuning.DirectIoCopy;
import dev.sqlbak.tuning.PageCacheRoom;
import dev.sqlbak.tuning.Tuning;
import dev.sqlbak.tuning.WriteBehind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
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

  private final Tuning tuning;

  /** An engine with the machine's tuning (see {@link Tuning#fromEnvironment}). */
  public BackupEngine() {
    this(Tuning.fromEnvironment());
  }

  /** An engine with the given tuning. */
  public BackupEngine(Tuning tuning) {
    this.tuning = tuning;
  }

  /**
   * An engine that leaves the process's priority alone: for a restore's safety copy, since the
   * restore then writes into its target under a lock that others wait for, and a lowered priority
   * cannot be raised again.
   */
  static BackupEngine keepingPriority() {
    return new BackupEngine(Tuning.fromEnvironment().keepingPriority());
  }

  /** Where the copies go, resolved from the request's destination. */
  private enum TargetKind { FILE, DIRECTORY, MEMORY, STREAM }

  /** One schema being copied: where it comes from and where its copy is staged. */
  private static final class Stage {
    final String schema;
    /** The schema's file as the user named it: for messages and names. */
    final Path sourceFile;
    /** The schema's live files, owned by the source connection. */
    final LiveDatabaseFiles files;
    AtomicDestination file;
    SqliteDatabase memory;
    long pageSize;
    long pageCount;
    List<TableRows> tables = List.of();
    String sha256;
    long bytes;
    /** How often the backup API started this copy over because the source changed under it. */
    int restarts;
    /** The byte-for-byte copy of the source file, if it is copied that way. */
    FileImageCopy image;
    /** Copied byte for byte, hashed as written: the file must not change after the copy. */
    boolean copiedAsImage;
    /** Copied with VACUUM INTO or table by table: its page count is the copy's, not the source's. */
    boolean rewritten;
    /** Writes the file to publish from the copy with O_DIRECT; null if the copy itself is published. */
    DirectIoCopy direct;
    /** The temporary file to publish: the copy itself, its O_DIRECT copy, or its compressed form. */
    Path payload;
    Path published;

    Stage(String schema, LiveDatabaseFiles files) {
      this.schema = schema;
      this.sourceFile = files.given();
      this.files = files;
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
    if (request.toStream()) {
      throw SqlbakException.usage("a stream destination needs an output stream", request.destination(), null);
    }
    return run(request, listener, true, null);
  }

  /**
   * Backs up into {@code sink} instead of a file: the copy is made and checked in a temporary
   * file first, so nothing reaches the sink unless the backup is complete and checked.
   */
  public BackupResult stream(BackupRequest request, OutputStream sink, ProgressListener listener) {
    return run(request.withDestination(BackupRequest.STREAM), listener, false, sink);
  }

  /** As {@link #backup}; without {@code sidecar} no .sha256 is written (restore's safety copy). */
  BackupResult backup(BackupRequest request, ProgressListener listener, boolean sidecar) {
    return run(request, listener, sidecar, null);
  }

  private BackupResult run(BackupRequest request, ProgressListener listener, boolean sidecar,
      OutputStream sink) {
    Instant started = Instant.now();
    Target target = resolveTarget(request);
    List<Stage> stages = new ArrayList<>();
    try (OpenedSource opened = openSource(request)) {
      for (String schema : request.schemas()) {
        stages.add(new Stage(schema, opened.filesOf(schema)));
      }
      Snapshot snapshot = copyUnderSnapshot(opened, request, target, stages, listener);
      for (Stage stage : stages) {
        long t0 = System.nanoTime();
        finish(stage, request.check(), target);
        LOG.debug("checked and hashed the copy of schema {} in {} ms", stage.schema,
            (System.nanoTime() - t0) / 1_000_000);
      }
      if (target.kind() == TargetKind.STREAM) {
        streamOut(stages.get(0), target.compression(), sink);
      } else if (target.toFiles()) {
        for (Stage stage : stages) {
          long t0 = System.nanoTime();
          publish(stage, target, snapshot.time(), request.force(), sidecar);
          LOG.debug("published the copy of schema {} (fsync, link, sidecar) in {} ms", stage.schema,
              (System.nanoTime() - t0) / 1_000_000);
        }
      }
      List<Path> pruned = pruneAfter(request, target, stages);
      List<BackupCopy> copies = new ArrayList<>();
      for (Stage s : stages) {
        copies.add(new BackupCopy(s.schema, s.sourceFile, s.published, s.pageSize, s.pageCount,
            s.bytes, s.sha256, request.check(), target.compression(), s.tables));
      }
      return new BackupResult(copies, snapshot.time(), Duration.between(started, Instant.now()), pruned,
          snapshot.contention());
    } finally {
      closeStages(stages);
    }
  }

  /** Where the copies go: the kind of destination, its compression, and its path (files and folders only). */
  private record Target(TargetKind kind, Compression compression, Path destination) {
    /** Whether the copies are published as files (a file or directory destination). */
    boolean toFiles() {
      return kind == TargetKind.FILE || kind == TargetKind.DIRECTORY;
    }

    /**
     * Whether the copy SQLite writes is itself what gets published: an uncompressed file backup.
     * A compressed one or a stream publishes something made from it, and the copy is deleted.
     */
    boolean publishesCopy() {
      return toFiles() && compression == Compression.NONE;
    }

    /** Where the copy is staged: the destination's folder, the scratch folder for streams, none for memory. */
    Path folder() {
      switch (kind) {
        case DIRECTORY:
          return destination;
        case FILE:
          return destination.getParent();
        case STREAM:
          return ReadableBackup.scratchFolder(); // private: the copy holds the database's data
        default:
          return null;
      }
    }
  }

  /** Checks everything about the request that can be checked before the source is opened. */
  private static Target resolveTarget(BackupRequest request) {
    checkAttachmentNames(request);
    LiveDatabaseFiles.requireDatabaseFile(request.source(), "source");
    for (Path attached : request.attachments().values()) {
      LiveDatabaseFiles.requireDatabaseFile(attached, "attached database");
    }
    TargetKind kind = targetKind(request);
    Compression compression = compressionOf(request, kind);
    Path destination = null;
    if (kind == TargetKind.FILE || kind == TargetKind.DIRECTORY) {
      destination = destinationPath(request);
      if (kind == TargetKind.FILE && !Compression.ofName(destination.getFileName().toString()).equals(compression)) {
        destination = destination.resolveSibling(destination.getFileName() + compression.suffix());
      }
    }
    if (kind == TargetKind.FILE) {
      checkFileDestination(request, destination);
    }
    if (request.retention() != null && kind != TargetKind.DIRECTORY) {
      throw SqlbakException.usage("--keep-* needs a directory destination",
          request.destination() == null ? "." : request.destination(),
          "retention prunes the timestamped backups in a folder");
    }
    if (kind == TargetKind.STREAM && request.schemas().size() > 1) {
      throw SqlbakException.usage("a stream holds one schema", String.join(", ", request.schemas()),
          "back up several schemas into a directory");
    }
    // After the destination's checks, which name the more precise mistake (DEST is the source).
    LiveDatabaseFiles.requireOneName(request.source(), "source");
    for (Path attached : request.attachments().values()) {
      LiveDatabaseFiles.requireOneName(attached, "attached database");
    }
    return new Target(kind, compression, destination);
  }

  /** The moment a backup is of, and how the backup and the source's other users got in each other's way. */
  private record Snapshot(Instant time, SourceContention contention) {}

  /**
   * Copies every stage from one read transaction on the source and releases the source as soon
   * as the copies are complete, before they are checked, so that a rollback-journal source's
   * writers wait for the copy only.
   */
  private Snapshot copyUnderSnapshot(OpenedSource opened, BackupRequest request, Target target,
      List<Stage> stages, ProgressListener listener) {
    SqliteDatabase db = opened.db();
    Path source = request.source();
    Instant snapshotTime = Instant.now();
    long snapshotStart = System.nanoTime();
    List<String> tables;
    try {
      if (request.copiesPages()) {
        db.beginSnapshot(request.schemas());
        snapshotStart = System.nanoTime();
        snapshotTime = Instant.now();
      } else {
        // VACUUM INTO refuses to run inside a transaction and takes a snapshot of its own. A
        // table copy reads its snapshot on the copy's own connection; a read transaction held
        // here as well would, in rollback-journal mode, let a writer's PENDING lock shut that
        // connection out until --busy-timeout.
        db.schemaNames();
      }
      // Checked before any temporary file exists: an unknown table leaves nothing behind.
      tables = resolveTables(db, stages.get(0), request.tables());
      if (tuning.lowersPriority() && (opened.lockFree() != null || allInWalMode(db, request.schemas()))) {
        // A WAL-mode snapshot (or a read without locks) makes no writer wait, ever.
        BackgroundPriority.lower();
      }
    } catch (SqliteFailure f) {
      throw sourceFailure(f, source, request.busyTimeout());
    }
    for (Stage stage : stages) {
      copy(db, stage, request, tables, target, listener);
    }
    if (request.copiesPages()) {
      endSnapshot(db, source);
    }
    if (tuning.lowersPriority()) {
      // Nothing from here on (check, hashing, fsync, publishing) holds up the source's users.
      BackgroundPriority.lower();
    }
    SourceContention contention = contentionOf(db, stages, System.nanoTime() - snapshotStart);
    LOG.debug("source {}: snapshot held {} ms, {} busy retries over {} ms, {} restarts", source,
        contention.snapshotHeld().toMillis(), contention.busyRetries(),
        contention.busyWait().toMillis(), contention.restarts());
    if (opened.lockFree() != null) {
      opened.lockFree().requireUnchanged();
    }
    return new Snapshot(snapshotTime, contention);
  }

  /** Applies the request's retention to the series of each new backup, once all are published. */
  private static List<Path> pruneAfter(BackupRequest request, Target target, List<Stage> stages) {
    List<Path> pruned = new ArrayList<>();
    if (request.retention() != null) {
      for (Stage stage : stages) {
        pruned.addAll(new PruneEngine().pruneStem(target.destination(), BackupNames.stemOf(stage.sourceFile),
            request.retention(), false, removed -> {}, stage.published).removed());
      }
    }
    return pruned;
  }

  private static void closeStages(List<Stage> stages) {
    for (Stage stage : stages) {
      if (stage.direct != null) {
        stage.direct.close();
      }
      if (stage.file != null) {
        stage.file.close();
      }
      if (stage.memory != null) {
        stage.memory.close();
      }
    }
  }

  private static SourceContention contentionOf(SqliteDatabase db, List<Stage> stages, long heldNanos) {
    SqliteDatabase.LockWaits waits = db.lockWaits();
    int restarts = stages.stream().mapToInt(s -> s.restarts).sum();
    return new SourceContention(restarts, waits.retries(), waits.waited(), Duration.ofNanos(heldNanos));
  }

  private static void checkAttachmentNames(BackupRequest request) {
    for (Map.Entry<String, Path> a : request.attachments().entrySet()) {
      if (a.getValue().toString().isEmpty()) {
        throw SqlbakException.usage("--attach needs NAME=FILE", "'" + a.getKey() + "'",
            "for example --attach aux=aux.db");
      }
    }
    for (String name : request.attachments().keySet()) {
      if (name.isEmpty() || name.equalsIgnoreCase("main") || name.equalsIgnoreCase("temp")) {
        throw SqlbakException.usage("invalid --attach name", "'" + name + "'",
            "main and temp are taken; use another schema name");
      }
    }
    // SQLite's schema names are case-insensitive: MAIN and main are one schema.
    Set<String> seen = new LinkedHashSet<>();
    for (String schema : request.schemas()) {
      if (!seen.add(schema.toLowerCase(java.util.Locale.ROOT))) {
        throw SqlbakException.usage("schema named twice", schema, null);
      }
    }
  }

  private static TargetKind targetKind(BackupRequest request) {
    if (request.toMemory()) {
      return TargetKind.MEMORY;
    }
    if (request.toStream()) {
      return TargetKind.STREAM;
    }
    return Files.isDirectory(destinationPath(request)) ? TargetKind.DIRECTORY : TargetKind.FILE;
  }

  private static Path destinationPath(BackupRequest request) {
    String dest = request.destination() == null ? "." : request.destination();
    return Path.of(dest).toAbsolutePath().normalize();
  }

  private static Compression compressionOf(BackupRequest request, TargetKind kind) {
    Compression byName = kind == TargetKind.FILE
        ? Compression.ofName(destinationPath(request).getFileName().toString())
        : Compression.NONE;
    Compression asked = request.compression();
    if (asked == null || asked == Compression.NONE) {
      return asked == null ? byName : checkNoSuffix(byName, request);
    }
    if (kind == TargetKind.MEMORY) {
      throw SqlbakException.usage("--compress cannot go with :memory:", request.destination(),
          ":memory: writes nothing to compress");
    }
    if (byName != Compression.NONE && byName != asked) {
      throw SqlbakException.usage("--compress contradicts the destination's suffix", request.destination(),
          "drop the suffix or the option");
    }
    return asked;
  }

  private static Compression checkNoSuffix(Compression byName, BackupRequest request) {
    if (byName != Compression.NONE) {
      throw SqlbakException.usage("--compress none contradicts the destination's suffix",
          request.destination(), "drop the suffix or the option");
    }
    return Compression.NONE;
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
    List<Path> sources = new ArrayList<>(request.attachments().values());
    sources.add(request.source());
    for (Path s : sources) {
      refuseOwnFiles(s, dest);
    }
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
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

  /**
   * Refuses {@code dest} when it is, through any path or symlink, {@code database} or one of its
   * side files: replacing a live -wal or -journal loses committed data, whatever --force says.
   */
  private static void refuseOwnFiles(Path database, Path dest) {
    LiveDatabaseFiles.ownFileKind(database, dest).ifPresent(kind -> {
      if (kind.isEmpty()) {
        throw SqlbakException.failed("destination is the source itself", dest, "a backup must go to another file");
      }
      throw SqlbakException.failed("destination is the source's " + kind.substring(1) + " file", dest,
          "SQLite keeps committed data there; a backup must go to another file");
    });
  }

  /**
   * A source read without locks (see {@link #openSource}): what its file looked like before the
   * copy, to make sure no writer touched it meanwhile.
   */
  private record LockFreeRead(LiveDatabaseFiles files, Object key, long size,
      java.nio.file.attribute.FileTime modified) {
    static LockFreeRead of(LiveDatabaseFiles files) throws IOException {
      java.nio.file.attribute.BasicFileAttributes a =
          Files.readAttributes(files.real(), java.nio.file.attribute.BasicFileAttributes.class);
      return new LockFreeRead(files, a.fileKey(), a.size(), a.lastModifiedTime());
    }

    void requireUnchanged() {
      boolean same;
      try {
        same = equals(of(files)) && !Files.exists(files.sideFile("-wal"), LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        same = false;
      }
      if (!same) {
        throw SqlbakException.failed("source changed while it was read without locks", files.given(),
            "its folder is read-only, so SQLite could not lock it; nothing was published; run again"
                + " when no application writes it, or as a user who may write its folder");
      }
    }
  }

  /**
   * The source connection with the live files of each schema (owned by the connection), and the
   * record of a source read without locks, if it was.
   */
  private record OpenedSource(SqliteDatabase db, Map<String, LiveDatabaseFiles> files, LockFreeRead lockFree)
      implements AutoCloseable {
    LiveDatabaseFiles filesOf(String schema) {
      for (Map.Entry<String, LiveDatabaseFiles> e : files.entrySet()) {
        if (e.getKey().equalsIgnoreCase(schema)) {
          return e.getValue();
        }
      }
      throw new IllegalStateException("no files for schema " + schema);
    }

    @Override
    public void close() {
      db.close(); // closes the connection, then lets go of the files
    }
  }

  /**
   * Whether a source that SQLite could not open can be read as immutable: a WAL-mode database in a
   * read-only folder (SQLite must create the -wal and -shm files to read it) with no -wal file
   * content, so that every committed page is in the file itself. A -wal file with content would be
   * ignored that way, so then not.
   */
  private static boolean readableWithoutLocks(LiveDatabaseFiles files) {
    return !files.folderWritable() && files.headerSaysWal() && !files.walHasContent();
  }

  private static boolean allInWalMode(SqliteDatabase db, List<String> schemas) throws SqliteFailure {
    for (String schema : schemas) {
      if (!"wal".equalsIgnoreCase(db.journalMode(schema))) {
        return false;
      }
    }
    return true;
  }

  private static OpenedSource openSource(BackupRequest request) {
    Path source = request.source();
    // Owned by the connection from here on; kept here only to read, never to close.
    LiveDatabaseFiles main = LiveDatabaseFiles.open(source, "source");
    SqliteFailure refused;
    try {
      SqliteDatabase db = SqliteDatabase.openReadOnly(main, request.busyTimeout());
      try {
        // SQLite opens a WAL-mode database's -wal and -shm files at its first read of the schema.
        db.beginSnapshot(List.of("main"));
        db.endSnapshot();
      } catch (SqliteFailure f) {
        db.close();
        throw f;
      }
      return withSchemas(db, main, null, request);
    } catch (SqliteFailure f) {
      if (f.reason() != SqliteFailure.Reason.CANT_OPEN) {
        throw sourceFailure(f, source, request.busyTimeout());
      }
      refused = f;
    }
    return openWithoutLocks(request, refused);
  }

  /**
   * Opens a source that SQLite could not open with locks, if it can be read without them (see
   * {@link #readableWithoutLocks}); else fails with the reason SQLite gave ({@code refused}).
   */
  private static OpenedSource openWithoutLocks(BackupRequest request, SqliteFailure refused) {
    Path source = request.source();
    LiveDatabaseFiles main = LiveDatabaseFiles.open(source, "source");
    if (!readableWithoutLocks(main)) {
      boolean walInReadOnlyFolder = main.headerSaysWal() && !main.folderWritable();
      main.close(); // no connection of ours has it open
      if (walInReadOnlyFolder) {
        throw SqlbakException.failed("cannot read source", source,
            "a WAL-mode database with a -wal file needs its -shm file, which SQLite cannot create in a"
                + " read-only folder: run as a user who may write the folder, or while the application"
                + " has the database open", refused);
      }
      throw sourceFailure(refused, source, request.busyTimeout());
    }
    LockFreeRead lockFree;
    SqliteDatabase db;
    try {
      lockFree = LockFreeRead.of(main);
      db = SqliteDatabase.openImmutable(main);
    } catch (IOException e) {
      main.close();
      throw SqlbakException.failed("cannot read source", source, reason(e), e);
    } catch (SqliteFailure retry) {
      throw sourceFailure(refused, source, request.busyTimeout());
    }
    LOG.debug("{} is in WAL mode, has no -wal file and its folder is read-only: reading it without locks", source);
    return withSchemas(db, main, lockFree, request);
  }

  /** Attaches the request's other schemas to the source connection and checks that every schema asked for is there. */
  private static OpenedSource withSchemas(SqliteDatabase db, LiveDatabaseFiles main, LockFreeRead lockFree,
      BackupRequest request) {
    try {
      Map<String, LiveDatabaseFiles> files = new java.util.LinkedHashMap<>();
      files.put("main", main);
      for (Map.Entry<String, Path> a : request.attachments().entrySet()) {
        LiveDatabaseFiles attached = LiveDatabaseFiles.open(a.getValue(), "attached database");
        try {
          db.attachReadOnly(a.getKey(), attached);
        } catch (SqliteFailure f) {
          throw sourceFailure(f, a.getValue(), request.busyTimeout());
        }
        files.put(a.getKey(), attached);
      }
      List<String> known;
      try {
        known = db.schemaNames();
      } catch (SqliteFailure f) {
        throw sourceFailure(f, request.source(), request.busyTimeout());
      }
      known.removeIf(name -> name.equalsIgnoreCase("temp"));
      for (String schema : request.schemas()) {
        if (known.stream().noneMatch(schema::equalsIgnoreCase)) {
          throw SqlbakException.failed("unknown schema", schema,
              "the source has " + String.join(", ", known) + "; attach others with --attach NAME=FILE");
        }
      }
      return new OpenedSource(db, files, lockFree);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }


  static SqlbakException sourceFailure(SqliteFailure f, Path file, Duration busyTimeout) {
    return databaseFailure(f, file, busyTimeout, "source");
  }

  /** What a file with a hot journal means, and the way out that sqlbak (which only reads) leaves to its owner. */
  static final String HOT_JOURNAL_HINT = "a writer crashed in mid-transaction; open the database once read-write"
      + " (the application, or sqlite3) so that SQLite rolls it back, then try again";

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
      case HOT_JOURNAL:
        // Rolling the journal back writes the database, and sqlbak only ever reads a source.
        return SqlbakException.failed(role + " has a hot journal", file + "-journal", HOT_JOURNAL_HINT, f);
      case READ_ONLY:
        // SQLite must create the -wal/-shm files of a WAL-mode database even to read it.
        return SqlbakException.failed("cannot read " + role, file + ": " + f.getMessage(),
            "a WAL-mode database needs its -shm file: run as a user who may write its folder,"
                + " or while the application has it open", f);
      default:
        return SqlbakException.failed("cannot read " + role, file, f.getMessage(), f);
    }
  }

  /**
   * The requested tables of the stage's schema by their names as created (SQLite matches names
   * case-insensitively); none requested gives none. A name that is not an ordinary table fails.
   */
  private static List<String> resolveTables(SqliteDatabase db, Stage stage, List<String> requested)
      throws SqliteFailure {
    if (requested.isEmpty()) {
      return List.of();
    }
    List<SqliteDatabase.ListedTable> listed = db.tableList(stage.schema);
    List<String> names = new ArrayList<>();
    for (String name : requested) {
      SqliteDatabase.ListedTable table = listed.stream()
          .filter(t -> SqliteDatabase.sameName(t.name(), name))
          .findFirst()
          .orElseThrow(() -> SqlbakException.failed("unknown table", name, tablesHint(stage, listed)));
      if (BackupRequest.asciiLowerCase(table.name()).startsWith("sqlite_")) {
        throw SqlbakException.failed("cannot copy SQLite's own table", table.name(),
            "the sqlite_sequence rows of the chosen tables come with them");
      }
      switch (table.type()) {
        case "table":
          names.add(table.name());
          break;
        case "view":
          throw SqlbakException.failed("not a table but a view", table.name(), "views are not copied");
        default:
          // A virtual table's content lives in its module (and shadow tables), not in rows to copy.
          throw SqlbakException.failed("cannot copy a " + table.type() + " table", table.name(),
              "--table copies ordinary tables; back up the whole database instead");
      }
    }
    return names;
  }

  private static String tablesHint(Stage stage, List<SqliteDatabase.ListedTable> listed) {
    List<String> ordinary = listed.stream()
        .filter(t -> t.type().equals("table") && !BackupRequest.asciiLowerCase(t.name()).startsWith("sqlite_"))
        .map(SqliteDatabase.ListedTable::name)
        .sorted()
        .toList();
    String where = stage.schema.equalsIgnoreCase(BackupRequest.DEFAULT_SCHEMA)
        ? stage.sourceFile.toString() : "schema " + stage.schema;
    if (ordinary.isEmpty()) {
      return where + " has no tables";
    }
    int shown = Math.min(ordinary.size(), 10);
    return where + " has " + String.join(", ", ordinary.subList(0, shown))
        + (ordinary.size() > shown ? " and " + (ordinary.size() - shown) + " more" : "");
  }

  /** Copies one schema into its staging place (a temporary file or memory) in the way the request asks. */
  private void copy(SqliteDatabase db, Stage stage, BackupRequest request, List<String> tables, Target target,
      ProgressListener listener) {
    Path folder = target.folder();
    boolean copyPublished = target.publishesCopy();
    String sink;
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
      sink = stage.memory.backupTargetName();
    } else {
      try {
        stage.file = AtomicDestination.create(folder, stage.files.dataMode());
      } catch (IOException e) {
        throw writeFailure("cannot write to destination folder", folder, 0, reason(e), e);
      }
      sink = stage.file.file().toString();
    }
    if (!tables.isEmpty()) {
      prepareDirectCopy(stage, copyPublished);
      copyTables(db, stage, request, tables, folder, listener);
    } else if (request.compact()) {
      prepareDirectCopy(stage, copyPublished);
      long t0 = System.nanoTime();
      try {
        db.vacuumInto(stage.schema, sink);
      } catch (SqliteFailure f) {
        throw copyFailure(f, stage, folder, request);
      }
      stage.rewritten = true;
      LOG.debug("compacted schema {} in {} ms", stage.schema, (System.nanoTime() - t0) / 1_000_000);
      listener.copyFinished(stage.schema, stage.pageCount);
    } else {
      copyPages(db, stage, request, sink, target, listener);
    }
  }

  /** Copies the schema's pages: byte for byte where the file is the snapshot, else through the backup API. */
  private void copyPages(SqliteDatabase db, Stage stage, BackupRequest request, String sink, Target target,
      ProgressListener listener) {
    boolean copyPublished = target.publishesCopy();
    int step = request.stepFor(stage.pageSize);
    LOG.debug("copying schema {} of {}: {} pages of {} bytes, {} pages per step",
        stage.schema, stage.sourceFile, stage.pageCount, stage.pageSize, step);
    long[] highest = {0};
    SqliteDatabase.PageObserver progress = (copied, total) -> {
      if (copied >= highest[0]) {
        highest[0] = copied;
        listener.copied(stage.schema, copied, total);
      }
    };
    long t0 = System.nanoTime();
    if (stage.file != null && copiesAsImage(db, stage)) {
      copyImage(stage, step, progress, copyPublished, request.check());
      LOG.debug("copied schema {} byte for byte in {} ms", stage.schema, (System.nanoTime() - t0) / 1_000_000);
      listener.copyFinished(stage.schema, stage.pageCount);
      return;
    }
    try {
      if (stage.file == null) {
        stage.restarts = db.copyTo(stage.schema, sink, step, request.busyTimeout(), progress);
      } else {
        prepareDirectCopy(stage, copyPublished);
        Path copy = stage.file.file();
        try (WriteBehind flushing = flushesWhileCopying(stage, copyPublished) ? WriteBehind.start(copy) : null) {
          stage.restarts = db.copyToPrivateFile(stage.schema, copy, step, request.busyTimeout(), progress);
        }
      }
    } catch (SqliteFailure f) {
      throw copyFailure(f, stage, target.folder(), request);
    }
    LOG.debug("copied schema {} in {} ms, {} restarts", stage.schema,
        (System.nanoTime() - t0) / 1_000_000, stage.restarts);
    listener.copyFinished(stage.schema, stage.pageCount);
  }

  /**
   * Where the copy in the stage's file is the one to publish, sets up the O_DIRECT copy it is
   * published through instead, if this machine allows it (see {@link DirectIoCopy}). Called for
   * every copy SQLite writes, and for the checked byte-for-byte copy of a WAL-mode file only (see
   * {@link #copyImage}); other byte-for-byte copies are written and hashed in one pass.
   */
  private void prepareDirectCopy(Stage stage, boolean copyPublished) {
    if (tuning.directIo() && copyPublished && stage.file != null) {
      stage.direct = DirectIoCopy.open(stage.file.file("direct"), stage.pageCount * stage.pageSize,
          stage.file.mode());
    }
  }

  /**
   * Whether a copy into the stage's file is flushed while it is written (write-behind tuning). Not
   * when it stays in memory until deleted unwritten: when an O_DIRECT copy of it will be published,
   * or when it is never published (compressed, streamed) and fits below the kernel's writeback
   * line. Then its writeback never competes with the source's writers for the disk.
   */
  private boolean flushesWhileCopying(Stage stage, boolean copyPublished) {
    if (!tuning.writeBehind() || stage.direct != null) {
      return false;
    }
    return !(tuning.directIo() && !copyPublished && PageCacheRoom.holdsUnwritten(stage.pageCount * stage.pageSize));
  }

  /** Writes the chosen tables into the stage's copy, all read in one snapshot of the source. */
  private static void copyTables(SqliteDatabase db, Stage stage, BackupRequest request, List<String> tables,
      Path folder, ProgressListener listener) {
    long t0 = System.nanoTime();
    SqliteDatabase copy = stage.memory;
    long pages;
    try {
      if (copy == null) {
        copy = SqliteDatabase.openNewCopy(stage.file.file());
      }
      stage.tables = copy.copyTablesFrom(db, stage.schema, stage.files, tables, request.busyTimeout());
      pages = copy.pageCount("main");
    } catch (SqliteFailure f) {
      throw copyFailure(f, stage, folder, request);
    } finally {
      if (copy != null && copy != stage.memory) {
        copy.close();
      }
    }
    stage.rewritten = true;
    LOG.debug("copied tables {} of schema {} in {} ms", tables, stage.schema, (System.nanoTime() - t0) / 1_000_000);
    listener.copyFinished(stage.schema, pages);
  }

  /**
   * Whether the schema can be copied as a file image: a rollback-journal database file at least as
   * long as its pages, or a WAL-mode file whose -wal is missing or empty, looked at after the
   * snapshot began (anything else goes through the backup API, which reads the snapshot through
   * SQLite). With no -wal content the snapshot holds no WAL frames (SQLite never truncates a WAL
   * that a reader still reads frames from), so the database file is the snapshot, and no
   * checkpoint may write to it until the snapshot ends: a reader of the file alone holds WAL
   * read-lock 0, which backfilling needs exclusively, and the connection's SHARED lock on the file
   * keeps a last connection's close from checkpointing (see {@link LiveDatabaseFiles} for why
   * nothing of sqlbak's may drop it). The header read before the connection opened must agree
   * with the journal mode SQLite reports under the snapshot. Every check is on the real path.
   */
  private static boolean copiesAsImage(SqliteDatabase db, Stage stage) {
    try {
      boolean wal = "wal".equalsIgnoreCase(db.journalMode(stage.schema));
      LiveDatabaseFiles files = stage.files;
      if (wal ? !files.headerSaysWal() || files.walHasContent() : !files.headerSaysRollbackJournal()) {
        return false;
      }
      if (files.size() < stage.pageCount * stage.pageSize) {
        return false;
      }
      stage.image = files.imageCopy();
      return true;
    } catch (SqliteFailure | IOException e) {
      LOG.debug("copying {} through the backup API", stage.sourceFile, e);
      return false;
    }
  }

  /**
   * Copies the source file byte for byte. Published as it is, the copy is hashed while written and
   * flushed as it goes, in one pass. A WAL-mode file's checked copy is instead published through
   * an O_DIRECT copy made while the check runs, if the machine allows one: that source's writers
   * go on committing during the copy, and the writeback of a copy flushed beside them delays their
   * fsyncs. A rollback-journal file's writers wait for the copy, so its writes are best done
   * while they wait, not after; an unchecked copy would only be written twice. A copy that is
   * compressed or streamed is not flushed either when it fits in memory: it is deleted once read.
   */
  private void copyImage(Stage stage, int step, SqliteDatabase.PageObserver progress, boolean copyPublished,
      CheckLevel check) {
    if (check != CheckLevel.NONE && stage.image.ofWalModeFile()) {
      prepareDirectCopy(stage, copyPublished);
    }
    boolean publishedAsIs = copyPublished && stage.direct == null;
    Path copy = stage.file.file();
    try {
      try (WriteBehind flushing = flushesWhileCopying(stage, copyPublished) ? WriteBehind.start(copy) : null) {
        stage.sha256 = stage.image.copyTo(copy, stage.pageSize, stage.pageCount, step, publishedAsIs, progress);
      }
      stage.copiedAsImage = true;
    } catch (FileImageCopy.SourceUnreadable e) {
      throw SqlbakException.failed("cannot read source", stage.sourceFile + ": " + e.getMessage(),
          "check it with: sqlite3 " + stage.sourceFile + " 'PRAGMA integrity_check'", e);
    } catch (IOException e) {
      throw writeFailure("cannot write backup", stage.file.folder(), stage.pageCount * stage.pageSize,
          reason(e), e);
    }
  }

  private static SqlbakException copyFailure(SqliteFailure f, Stage stage, Path folder,
      BackupRequest request) {
    switch (f.reason()) {
      case DISK_FULL:
      case IO_ERROR:
      case READ_ONLY:
      case CANT_OPEN:
        if (folder == null) {
          return SqlbakException.failed(f.reason() == SqliteFailure.Reason.DISK_FULL
              ? "out of memory for the copy" : "cannot copy into memory", stage.sourceFile, f.getMessage(), f);
        }
        return writeFailure("cannot write backup", folder, stage.pageCount * stage.pageSize, f.getMessage(), f);
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

  /**
   * Makes the staged copy self-contained and checks it. For a file or directory destination the
   * bytes to publish are hashed, and compressed if asked, on another core while SQLite checks:
   * both only read the finished copy, and on two cores this hides most of the hashing.
   */
  private static void finish(Stage stage, CheckLevel check, Target target) {
    List<String> problems;
    if (stage.memory != null) {
      try {
        problems = stage.memory.check(check);
        stage.tables = stage.memory.tableRowCounts();
        if (stage.rewritten) {
          stage.pageCount = stage.memory.pageCount("main");
        }
        stage.bytes = stage.pageCount * stage.pageSize;
      } catch (SqliteFailure f) {
        throw SqlbakException.failed("cannot check the copy", stage.sourceFile, f.getMessage(), f);
      }
      requirePassed(stage, check, problems);
      return;
    }
    // The payload is read on another core while SQLite checks, through one descriptor opened
    // before the check's connection and closed after it: closing any other descriptor of the copy
    // meanwhile would drop that connection's locks (see LiveDatabaseFiles).
    try (java.nio.channels.FileChannel copyBytes = java.nio.channels.FileChannel.open(stage.file.file(),
        java.nio.file.StandardOpenOption.READ)) {
      checkWhilePreparingPayload(stage, check, target, copyBytes);
    } catch (IOException e) {
      throw writeFailure("cannot check the copy", stage.file.folder(), 0, reason(e), e);
    }
  }

  private static void checkWhilePreparingPayload(Stage stage, CheckLevel check, Target target,
      java.nio.channels.FileChannel copyBytes) {
    List<String> problems;
    Path file = stage.file.file();
    long copiedPages;
    java.util.concurrent.CompletableFuture<Void> payload = null;
    try (SqliteDatabase copy = SqliteDatabase.openOwnCopy(file)) {
      // A WAL source's copy says "WAL" in its header; the published backup must be one file. A
      // byte-for-byte copy is of a rollback-journal file already, and was hashed as written.
      if (!stage.copiedAsImage) {
        copy.useRollbackJournal();
      }
      stage.payload = file;
      if (target.toFiles()) {
        // A stream's bytes are hashed (and compressed) as they are sent, after the check.
        payload = java.util.concurrent.CompletableFuture.runAsync(
            () -> preparePayload(stage, target.compression(), copyBytes));
      }
      long t0 = System.nanoTime();
      problems = copy.check(check);
      LOG.debug("checked the copy in {} ms: {}", (System.nanoTime() - t0) / 1_000_000,
          problems.isEmpty() ? "ok" : problems.get(0));
      copiedPages = copy.pageCount("main");
      if (stage.rewritten) {
        stage.pageCount = copiedPages;
      }
    } catch (SqliteFailure f) {
      awaitQuietly(payload);
      if (f.reason() == SqliteFailure.Reason.DISK_FULL || f.reason() == SqliteFailure.Reason.IO_ERROR
          || f.reason() == SqliteFailure.Reason.CANT_OPEN || f.reason() == SqliteFailure.Reason.READ_ONLY) {
        // Switching a WAL copy to rollback mode creates a -wal and a -journal file.
        throw writeFailure("cannot check the copy", stage.file.folder(), 0, f.getMessage(), f);
      }
      if (f.reason() == SqliteFailure.Reason.CORRUPT || f.reason() == SqliteFailure.Reason.NOT_A_DATABASE) {
        problems = List.of(f.getMessage());
        requirePassed(stage, check == CheckLevel.NONE ? CheckLevel.QUICK : check, problems);
      }
      throw SqlbakException.failed("cannot check the copy", file, f.getMessage(), f);
    }
    if (!problems.isEmpty() || copiedPages != stage.pageCount) {
      awaitQuietly(payload);
    }
    requirePassed(stage, check, problems);
    if (copiedPages != stage.pageCount) {
      throw SqlbakException.failed("copy is incomplete", stage.sourceFile,
          copiedPages + " of " + stage.pageCount + " pages; nothing was published");
    }
    if (payload != null) {
      try {
        payload.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof SqlbakException) {
          throw (SqlbakException) e.getCause();
        }
        throw e;
      }
    }
  }

  /** Lets a background payload finish before the temporary files it writes are removed. */
  private static void awaitQuietly(java.util.concurrent.CompletableFuture<Void> payload) {
    if (payload != null) {
      try {
        payload.join();
      } catch (RuntimeException ignored) {
        // the failure that made us wait is the one to report
      }
    }
  }

  /**
   * Compresses the checked copy if asked, and hashes the bytes that will be published, reading the
   * copy through {@code copyBytes}, which it never closes.
   */
  private static void preparePayload(Stage stage, Compression compression, java.nio.channels.FileChannel copyBytes) {
    Path file = stage.payload;
    try {
      if (compression == Compression.NONE && stage.direct != null) {
        long t0 = System.nanoTime();
        stage.sha256 = stage.direct.copyFrom(copyBytes);
        long t1 = System.nanoTime();
        stage.payload = stage.direct.file();
        stage.bytes = Files.size(stage.payload);
        // Unlinked before the kernel's writeback reaches it, the copy is never written to disk.
        Files.delete(file);
        LOG.debug("wrote {} with O_DIRECT in {} ms, deleted the copy in {} ms", stage.direct.file(),
            (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
      } else if (compression == Compression.NONE) {
        stage.bytes = Files.size(file);
        if (!stage.copiedAsImage) {
          stage.sha256 = sha256(copyBytes);
        }
      } else {
        stage.payload = stage.file.newFile("db" + compression.suffix());
        try (OutputStream out = Files.newOutputStream(stage.payload)) {
          stage.bytes = writeHashed(unclosable(copyBytes), compression, out, stage);
        }
        // The plain copy is no longer needed; freeing its space now helps a nearly full disk.
        Files.delete(file);
      }
    } catch (IOException e) {
      throw writeFailure("cannot write backup", stage.file.folder(), 0, reason(e), e);
    }
  }

  /**
   * Writes {@code file} to {@code out} through {@code compression} in one pass, hashing the bytes
   * as written into {@code stage.sha256}; returns how many bytes were written.
   */
  private static long writeHashed(InputStream from, Compression compression, OutputStream out, Stage stage)
      throws IOException {
    MessageDigest digest = sha256Digest();
    CountingOutputStream counted = new CountingOutputStream(new DigestOutputStream(out, digest));
    try (InputStream in = from) {
      OutputStream compressing = compression.compressing(counted);
      in.transferTo(compressing);
      compressing.flush();
      if (compressing != counted) {
        compressing.close(); // writes the compressed stream's trailer; the caller closes out
      }
    }
    stage.sha256 = HexFormat.of().formatHex(digest.digest());
    return counted.count;
  }

  /** Counts bytes and passes them on, without closing what it wraps. */
  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  /**
   * The one line for a failure to write into {@code folder}, where {@code bytes} (0 if unknown) is
   * the size of the file being written: a full disk or the file size limit said as such, else the
   * OS's own reason, which SQLite's "unable to open" or "disk I/O error" hides, else {@code detail}.
   */
  static SqlbakException writeFailure(String what, Path folder, long bytes, String detail, Throwable cause) {
    IOException io = cause instanceof IOException ? (IOException) cause : null;
    if (io != null && AtomicDestination.isFileTooLarge(io) || bytes > 0 && FileSizeLimit.exceededBy(bytes)) {
      java.util.OptionalLong limit = FileSizeLimit.bytes();
      return SqlbakException.failed("backup exceeds the file size limit", folder,
          (limit.isPresent() ? "ulimit -f allows " + limit.getAsLong() + " bytes per file" : "ulimit -f")
              + "; raise it; nothing was written", cause);
    }
    boolean full = io != null && AtomicDestination.isNoSpace(io)
        || cause instanceof SqliteFailure && ((SqliteFailure) cause).reason() == SqliteFailure.Reason.DISK_FULL;
    IOException refusal = full ? null : AtomicDestination.probeWrite(folder);
    if (full || refusal != null && AtomicDestination.isNoSpace(refusal)) {
      return SqlbakException.failed("destination is full", folder, "free some space; nothing was written", cause);
    }
    return SqlbakException.failed(what, folder, refusal != null ? reason(refusal) : detail, cause);
  }

  /** Sends the finished, checked copy to the sink, compressed if asked. */
  private static void streamOut(Stage stage, Compression compression, OutputStream sink) {
    try {
      stage.bytes = writeHashed(Files.newInputStream(stage.payload), compression, sink, stage);
      sink.flush();
    } catch (IOException e) {
      throw SqlbakException.failed("cannot write the backup stream", "standard output", reason(e), e);
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

  private static void publish(Stage stage, Target target, Instant snapshotTime, boolean force, boolean sidecar) {
    if (target.kind() != TargetKind.FILE || !sidecar) {
      publishWithSidecar(stage, target, snapshotTime, force, sidecar);
      return;
    }
    // The file and its checksum are two renames. Runs publishing one file name take turns, or the
    // checksum of a run whose file another run has replaced meanwhile could land last.
    AtomicDestination.NameLock turn;
    try {
      turn = AtomicDestination.lockName(stage.file.folder(), target.destination().getFileName().toString());
    } catch (IOException e) {
      throw writeFailure("cannot write backup", stage.file.folder(), 0, reason(e), e);
    }
    try {
      publishWithSidecar(stage, target, snapshotTime, force, sidecar);
    } finally {
      turn.close();
    }
  }

  private static void publishWithSidecar(Stage stage, Target target, Instant snapshotTime, boolean force,
      boolean sidecar) {
    AtomicDestination dest = stage.file;
    Path destination = target.destination();
    try {
      if (target.kind() == TargetKind.FILE) {
        if (sidecar) {
          dest.prepareSidecar(sidecarLine(stage.sha256, destination));
          if (force) {
            // An old sidecar beside the new backup would not match it; a missing one is honest.
            Files.deleteIfExists(sidecarOf(destination));
          }
        }
        dest.publish(stage.payload, destination, force);
        stage.published = destination;
      } else {
        String stem = BackupNames.stemOf(stage.sourceFile);
        Instant when = snapshotTime;
        while (stage.published == null) {
          when = BackupNames.nextFree(destination, stem, when);
          Path named = destination.resolve(BackupNames.nameFor(stem, when) + target.compression().suffix());
          if (sidecar) {
            dest.prepareSidecar(sidecarLine(stage.sha256, named));
          }
          try {
            dest.publish(stage.payload, named, false);
            stage.published = named;
          } catch (FileAlreadyExistsException raced) {
            LOG.debug("{} was taken meanwhile; trying the next second", named);
          }
        }
      }
    } catch (FileAlreadyExistsException e) {
      throw SqlbakException.failed("destination exists", destination,
          "it appeared while the backup ran; use --force to replace it", e);
    } catch (IOException e) {
      throw writeFailure("cannot write backup", dest.folder(), 0, reason(e), e);
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

  public static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  static String sha256(Path file) throws IOException {
    try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(file)) {
      return sha256(in);
    }
  }

  /** The SHA-256 of everything readable through {@code in} from its start; {@code in} stays open. */
  static String sha256(java.nio.channels.FileChannel in) throws IOException {
    MessageDigest digest = sha256Digest();
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(HASH_BUFFER);
    for (long at = 0; ; ) {
      buffer.clear();
      int n = in.read(buffer, at);
      if (n < 0) {
        break;
      }
      digest.update(buffer.array(), 0, n);
      at += n;
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** An input stream over {@code channel} from its start whose close leaves the channel open. */
  private static InputStream unclosable(java.nio.channels.FileChannel channel) throws IOException {
    return new java.io.FilterInputStream(java.nio.channels.Channels.newInputStream(channel.position(0))) {
      @Override
      public void close() {
        // the channel belongs to the caller, who closes it after the check's connection
      }
    };
  }

  /** A short reason for an I/O failure: the OS's words where Java kept them. */
  public static String reason(IOException e) {
    if (e instanceof java.nio.file.FileSystemException) {
      String r = ((java.nio.file.FileSystemException) e).getReason();
      if (r != null) {
        return r;
      }
      // Java keeps only the path for these, which the message names already.
      if (e instanceof java.nio.file.AccessDeniedException) {
        return "permission denied";
      }
      if (e instanceof java.nio.file.NoSuchFileException) {
        return "no such file or directory";
      }
      if (e instanceof java.nio.file.NotDirectoryException) {
        return "not a directory";
      }
      if (e instanceof java.nio.file.FileAlreadyExistsException) {
        return "already exists";
      }
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
