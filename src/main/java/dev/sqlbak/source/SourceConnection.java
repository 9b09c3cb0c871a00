package dev.sqlbak.source;

import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup's read-only connection to its source, with every schema to copy attached, and the live
 * files of each schema, which the connection owns and lets go of after it has closed.
 */
public final class SourceConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceConnection.class);

  private final SqliteDatabase db;
  private final Map<String, LiveDatabaseFiles> files;
  private final LockFreeRead lockFree;

  private SourceConnection(SqliteDatabase db, Map<String, LiveDatabaseFiles> files, LockFreeRead lockFree) {
    this.db = db;
    this.files = files;
    this.lockFree = lockFree;
  }

  /**
   * Opens the spec's source read-only and attaches its other files, then checks that every schema
   * it asks for is there. A WAL-mode source that SQLite cannot open
   * in a read-only folder is read without locks where that is safe (see {@link #readableWithoutLocks}).
   */
  public static SourceConnection open(SourceSpec spec) {
    Path source = spec.source();
    Duration busyTimeout = spec.busyTimeout();
    // Owned by the connection from here on; kept here only to read, never to close.
    LiveDatabaseFiles main = LiveDatabaseFiles.open(source, "source");
    SqliteFailure refused;
    try {
      SqliteDatabase db = SqliteDatabase.openReadOnly(main, busyTimeout);
      try {
        // SQLite opens a WAL-mode database's -wal and -shm files at its first read of the schema.
        db.beginSnapshot(List.of("main"));
        db.endSnapshot();
      } catch (SqliteFailure f) {
        db.close();
        throw f;
      }
      return withSchemas(db, main, null, spec);
    } catch (SqliteFailure f) {
      if (f.reason() != SqliteFailure.Reason.CANT_OPEN) {
        throw Failures.source(f, source, busyTimeout);
      }
      refused = f;
    }
    return openWithoutLocks(spec, refused);
  }

  /** The connection, with the schemas attached. */
  public SqliteDatabase db() {
    return db;
  }

  /** The live files of {@code schema} (matched as SQLite does, ignoring case). */
  public LiveDatabaseFiles filesOf(String schema) {
    for (Map.Entry<String, LiveDatabaseFiles> e : files.entrySet()) {
      if (e.getKey().equalsIgnoreCase(schema)) {
        return e.getValue();
      }
    }
    throw new IllegalStateException("no files for schema " + schema);
  }

  /** Whether the source is read without locks, so that no writer can ever wait for this backup. */
  public boolean readWithoutLocks() {
    return lockFree != null;
  }

  /** For a source read without locks: fails if a writer changed it during the copy. */
  public void requireUnchanged() {
    if (lockFree != null) {
      lockFree.requireUnchanged();
    }
  }

  @Override
  public void close() {
    db.close(); // closes the connection, then lets go of the files
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

  /**
   * Opens a source that SQLite could not open with locks, if it can be read without them; else
   * fails with the reason SQLite gave ({@code refused}).
   */
  private static SourceConnection openWithoutLocks(SourceSpec spec, SqliteFailure refused) {
    Path source = spec.source();
    Duration busyTimeout = spec.busyTimeout();
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
      throw Failures.source(refused, source, busyTimeout);
    }
    LockFreeRead lockFree;
    SqliteDatabase db;
    try {
      lockFree = LockFreeRead.of(main);
      db = SqliteDatabase.openImmutable(main);
    } catch (IOException e) {
      main.close();
      throw SqlbakException.failed("cannot read source", source, Failures.reason(e), e);
    } catch (SqliteFailure retry) {
      throw Failures.source(refused, source, busyTimeout);
    }
    LOG.debug("{} is in WAL mode, has no -wal file and its folder is read-only: reading it without locks", source);
    return withSchemas(db, main, lockFree, spec);
  }

  /** Attaches the other schemas to the source connection and checks that every schema asked for is there. */
  private static SourceConnection withSchemas(SqliteDatabase db, LiveDatabaseFiles main, LockFreeRead lockFree,
      SourceSpec spec) {
    Duration busyTimeout = spec.busyTimeout();
    try {
      Map<String, LiveDatabaseFiles> files = new LinkedHashMap<>();
      files.put("main", main);
      for (Map.Entry<String, Path> a : spec.attachments().entrySet()) {
        LiveDatabaseFiles attached = LiveDatabaseFiles.open(a.getValue(), "attached database");
        try {
          db.attachReadOnly(a.getKey(), attached);
        } catch (SqliteFailure f) {
          throw Failures.source(f, a.getValue(), busyTimeout);
        }
        files.put(a.getKey(), attached);
      }
      List<String> known;
      try {
        known = db.schemaNames();
      } catch (SqliteFailure f) {
        throw Failures.source(f, spec.source(), busyTimeout);
      }
      known.removeIf(name -> name.equalsIgnoreCase("temp"));
      for (String schema : spec.schemas()) {
        if (known.stream().noneMatch(schema::equalsIgnoreCase)) {
          throw SqlbakException.failed("unknown schema", schema,
              "the source has " + String.join(", ", known) + "; attach others with --attach NAME=FILE");
        }
      }
      return new SourceConnection(db, files, lockFree);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** A source read without locks: what its file looked like before the copy, to make sure no writer touched it meanwhile. */
  private record LockFreeRead(LiveDatabaseFiles files, Object key, long size, FileTime modified) {
    static LockFreeRead of(LiveDatabaseFiles files) throws IOException {
      BasicFileAttributes a = Files.readAttributes(files.real(), BasicFileAttributes.class);
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
}
