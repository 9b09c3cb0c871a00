package dev.sqlbak.engine;

import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.source.InspectedDatabase;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a database's vital statistics read-only, from one consistent snapshot. */
public final class InfoEngine {

  /** Describes {@code file}; works on backups and on live databases alike. */
  public DatabaseInfo info(Path file) {
    LiveDatabaseFiles.requireDatabaseFile(file, "database");
    java.time.Duration wait = BackupEngine.defaultBusyTimeout();
    // Opened as a backup's source is (InspectedDatabase): a WAL-mode file in a read-only folder too.
    try (ReadableBackup opened = ReadableBackup.open(file);
        InspectedDatabase inspected = InspectedDatabase.open(opened.database(), wait)) {
      SqliteDatabase db = inspected.db();
      db.beginSnapshot(List.of("main"));
      List<String> schemas = db.schemaNames();
      schemas.remove("temp");
      DatabaseInfo info = new DatabaseInfo(
          file,
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
          opened.compression());
      db.endSnapshot();
      inspected.requireUnchanged();
      return info;
    } catch (SqliteFailure f) {
      throw Failures.inspected(f, file, wait);
    } catch (ReadableBackup.CorruptCompression e) {
      throw SqlbakException.failed("cannot read database", file, e.getMessage(), e);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read database", file, Failures.reason(e), e);
    }
  }
}
