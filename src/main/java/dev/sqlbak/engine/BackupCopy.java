package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.sqlite.TableRows;
import dev.sqlbak.storage.LocalPath;
import dev.sqlbak.storage.Location;
import java.nio.file.Path;
import java.util.List;

/**
 * One schema's finished, checked copy.
 *
 * @param schema the source schema that was copied
 * @param sourceFile the file behind that schema
 * @param destination where the copy was published (a file, or an S3 object), or null for {@code :memory:} and streams
 * @param pageSize bytes per page
 * @param pageCount pages copied
 * @param bytes size of the published file (page size times page count for memory copies)
 * @param sha256 hex SHA-256 of the published bytes, or null for {@code :memory:}
 * @param check the check the copy passed
 * @param compression how the published bytes are stored
 * @param tables each table with its row count for {@code :memory:}; the copied tables with the
 *     rows copied for a {@code --table} backup into a file or stream; empty otherwise
 * @param recipients how many age recipients the published bytes are encrypted to; 0 when not encrypted
 */
public record BackupCopy(
    String schema,
    Path sourceFile,
    Location destination,
    long pageSize,
    long pageCount,
    long bytes,
    String sha256,
    CheckLevel check,
    Compression compression,
    List<TableRows> tables,
    int recipients) {

  /** The published file on this machine; only for a copy published to a local file. */
  public Path file() {
    if (!(destination instanceof LocalPath local)) {
      throw new IllegalStateException("not published to a local file: " + destination);
    }
    return local.path();
  }
}
