package dev.sqlbak.engine;

import dev.sqlbak.age.AgeKeys;
import dev.sqlbak.payload.Decryption;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.source.InspectedDatabase;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.LocalPath;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a database's vital statistics read-only, from one consistent snapshot. */
public final class InfoEngine {

  /** Describes {@code database}: a local file as {@link #info(Path)}, an S3 object in a private local copy. */
  public DatabaseInfo info(Location database, S3Options s3) {
    return info(database, s3, List.of());
  }

  /**
   * Describes {@code database} as {@link #info(Location, S3Options)}, opening an encrypted backup
   * with the age identities in {@code identityFiles}.
   */
  public DatabaseInfo info(Location database, S3Options s3, List<Path> identityFiles) {
    Decryption decryption = AgeKeys.decryption(identityFiles);
    if (database instanceof LocalPath local) {
      return describe(local.path(), local, decryption);
    }
    S3Location object = (S3Location) database;
    if (object.namesPrefix()) {
      throw SqlbakException.usage("DB names a prefix, not a backup", object,
          "name one object, as sqlbak list " + object + " shows them");
    }
    BackupStore store = BackupFolder.s3Prefix(object.parent(), s3);
    try (BackupStore.LocalCopy copy = store.local(object.fileName())) {
      return describe(copy.file(), object, decryption).shownAs(object);
    } catch (NoSuchFileException e) {
      throw SqlbakException.failed("cannot read database", object + ": not found", null);
    } catch (IOException e) {
      if (dev.sqlbak.storage.AtomicDestination.isNoSpace(e)) {
        throw SqlbakException.failed("scratch folder is full", dev.sqlbak.payload.ReadableBackup.scratchFolder(),
            object + " is downloaded there first; set TMPDIR to a folder with room", e);
      }
      throw e instanceof dev.sqlbak.storage.RemoteFailure remote ? Failures.remote(remote)
          : SqlbakException.failed("cannot read database", object, Failures.reason(e), e);
    }
  }

  /** Describes {@code file}; works on backups and on live databases alike. */
  public DatabaseInfo info(Path file) {
    return describe(file, Location.of(file), Decryption.NONE);
  }

  /** Describes {@code file}, which messages call {@code shown}. */
  private DatabaseInfo describe(Path file, Location shown, Decryption decryption) {
    LiveDatabaseFiles.requireDatabaseFile(file, "database");
    java.time.Duration wait = BackupEngine.defaultBusyTimeout();
    // Opened as a backup's source is (InspectedDatabase): a WAL-mode file in a read-only folder too.
    try (ReadableBackup opened = ReadableBackup.open(file, decryption);
        InspectedDatabase inspected = InspectedDatabase.open(opened.database(), wait)) {
      SqliteDatabase db = inspected.db();
      db.beginSnapshot(List.of("main"));
      List<String> schemas = db.schemaNames();
      schemas.remove("temp");
      DatabaseInfo info = new DatabaseInfo(
          Location.of(file),
          Files.size(file),
          db.pageSize("main"),
          db.pageCount("main"),
          db.pragmaNumber("main", "freelist_count"),
          inspected.journalMode(),
          db.pragmaText("main", "encoding"),
          db.pragmaNumber("main", "user_version"),
          db.pragmaNumber("main", "application_id"),
          schemas,
          db.tableRowCounts(),
          opened.compression(),
          opened.encrypted());
      db.endSnapshot();
      inspected.requireUnchanged();
      return info;
    } catch (SqliteFailure f) {
      throw Failures.inspected(f, file, wait);
    } catch (ReadableBackup.CorruptCompression e) {
      throw SqlbakException.failed("cannot read database", shown, e.getMessage(), e);
    } catch (IOException e) {
      if (Failures.isUndecrypted(e)) {
        throw Failures.undecrypted(e, shown, null);
      }
      if (dev.sqlbak.storage.AtomicDestination.isNoSpace(e)) {
        throw SqlbakException.failed("scratch folder is full", ReadableBackup.scratchFolder(),
            shown + " is decrypted or decompressed there first; set TMPDIR to a folder with room", e);
      }
      throw SqlbakException.failed("cannot read database", shown, Failures.reason(e), e);
    }
  }
}
