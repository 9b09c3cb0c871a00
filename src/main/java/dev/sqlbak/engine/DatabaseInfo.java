package dev.sqlbak.engine;

import dev.sqlbak.payload.Compression;
import dev.sqlbak.sqlite.TableRows;
import dev.sqlbak.storage.Location;
import java.util.List;

/**
 * What {@code sqlbak info} reports about a database file.
 *
 * @param path the file, as the user named it (an S3 object is read in a local copy)
 * @param fileSize its size in bytes
 * @param pageSize bytes per page
 * @param pageCount pages in the database
 * @param freelistPages unused pages
 * @param journalMode e.g. delete or wal
 * @param encoding UTF-8, UTF-16le or UTF-16be
 * @param userVersion PRAGMA user_version
 * @param applicationId PRAGMA application_id
 * @param schemas the schema names of the connection (main)
 * @param tables every table of main with its row count
 * @param compression how the file is stored (a compressed backup is described by its content)
 * @param encrypted whether the file is an age file (an encrypted backup is described by its content)
 */
public record DatabaseInfo(
    Location path,
    long fileSize,
    long pageSize,
    long pageCount,
    long freelistPages,
    String journalMode,
    String encoding,
    long userVersion,
    long applicationId,
    List<String> schemas,
    List<TableRows> tables,
    Compression compression,
    boolean encrypted) {

  /** The same facts told of {@code shown}: a local copy's facts told of the object it was downloaded from. */
  public DatabaseInfo shownAs(Location shown) {
    return new DatabaseInfo(shown, fileSize, pageSize, pageCount, freelistPages, journalMode, encoding, userVersion,
        applicationId, schemas, tables, compression, encrypted);
  }
}
