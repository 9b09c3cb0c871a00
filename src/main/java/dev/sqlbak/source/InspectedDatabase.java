package dev.sqlbak.source;

import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * A database opened read-only for one look at it ({@code info}), read wherever a backup could read
 * it: with locks as usual, or, for a WAL-mode file with no {@code -wal} content in a folder SQLite
 * may not write (it would have to create the {@code -wal} and {@code -shm} files), as immutable,
 * since every committed page is in the file; then checked unchanged once the look is over.
 */
public final class InspectedDatabase implements AutoCloseable {
  private final SqliteDatabase db;
  private final LiveDatabaseFiles files;
  /** The file's identity, size and time before an immutable read; null when read with locks. */
  private final List<Object> unlockedBefore;

  private InspectedDatabase(SqliteDatabase db, LiveDatabaseFiles files, List<Object> unlockedBefore) {
    this.db = db;
    this.files = files;
    this.unlockedBefore = unlockedBefore;
  }

  /**
   * Opens {@code file} read-only, waiting up to {@code busyTimeout} for locks.
   *
   * @throws SqliteFailure SQLite's refusal, where reading without locks is no way out either
   */
  public static InspectedDatabase open(Path file, Duration busyTimeout) throws SqliteFailure {
    LiveDatabaseFiles files = LiveDatabaseFiles.openForSqlite(file);
    SqliteDatabase db = SqliteDatabase.openReadOnly(files, busyTimeout); // owns files from here on
    try {
      // SQLite opens a WAL-mode database's -wal and -shm files at its first read of the schema.
      db.beginSnapshot(List.of("main"));
      db.endSnapshot();
      return new InspectedDatabase(db, files, null);
    } catch (SqliteFailure f) {
      db.close();
      if (f.reason() != SqliteFailure.Reason.CANT_OPEN) {
        throw f;
      }
      return openWithoutLocks(file, f);
    }
  }

  private static InspectedDatabase openWithoutLocks(Path file, SqliteFailure refused) throws SqliteFailure {
    LiveDatabaseFiles files = LiveDatabaseFiles.openForSqlite(file);
    boolean walInReadOnlyFolder = files.headerSaysWal() && !files.folderWritable();
    if (!walInReadOnlyFolder || files.walHasContent()) {
      files.close(); // no connection of ours has it open
      if (walInReadOnlyFolder) {
        throw SqlbakException.failed("cannot read database", file,
            "a WAL-mode database with a -wal file needs its -shm file, which SQLite cannot create in a"
                + " read-only folder: run as a user who may write the folder, or while the application"
                + " has the database open", refused);
      }
      throw refused;
    }
    List<Object> before = identity(files);
    SqliteDatabase db;
    try {
      db = SqliteDatabase.openImmutable(files);
    } catch (SqliteFailure retry) {
      throw refused;
    }
    LoggerFactory.getLogger(InspectedDatabase.class)
        .debug("{} is in WAL mode, has no -wal file and its folder is read-only: reading it without locks", file);
    return new InspectedDatabase(db, files, before);
  }

  /** The connection. */
  public SqliteDatabase db() {
    return db;
  }

  /**
   * The journal mode the database is in: SQLite's answer, except for a file read as immutable,
   * which SQLite reads as if in rollback mode ("delete") though it is only ever opened so when its
   * header says WAL.
   */
  public String journalMode() throws SqliteFailure {
    return unlockedBefore != null ? "wal" : db.journalMode("main");
  }

  /**
   * For a file read without locks, fails if a writer may have changed it meanwhile (its size, time
   * or identity changed, or a {@code -wal} appeared): what was read may then be a mix.
   */
  public void requireUnchanged() {
    if (unlockedBefore != null && !unlockedBefore.equals(identity(files))) {
      throw SqlbakException.failed("database changed while it was read without locks", files.given(),
          "its folder is read-only, so SQLite could not lock it; run again when no application writes it");
    }
  }

  private static List<Object> identity(LiveDatabaseFiles files) {
    try {
      BasicFileAttributes a = Files.readAttributes(files.real(), BasicFileAttributes.class);
      boolean wal = Files.exists(files.sideFile("-wal"), LinkOption.NOFOLLOW_LINKS);
      return List.of(Objects.toString(a.fileKey()), a.size(), a.lastModifiedTime(), wal);
    } catch (IOException e) {
      return List.of(e.toString()); // unreadable now: never equal to what was read before
    }
  }

  @Override
  public void close() {
    db.close(); // closes the connection, then lets go of the files
  }
}
