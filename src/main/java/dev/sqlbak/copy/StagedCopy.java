package dev.sqlbak.copy;

import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.TableRows;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.tuning.DirectIoCopy;
import java.nio.file.Path;
import java.util.List;

/**
 * One schema's copy in its staging place (a temporary file, or memory), and what copying it found;
 * closing it removes whatever of it was not published.
 */
public final class StagedCopy implements AutoCloseable {
  private final String schema;
  private final Path sourceFile;
  private final LiveDatabaseFiles files;
  BackupStore.Staging file;
  SqliteDatabase memory;
  long pageSize;
  long pageCount;
  List<TableRows> tables = List.of();
  /** The hash of the copy's bytes where it was hashed as written (a byte-for-byte copy published as is). */
  String sha256;
  /** How often the backup API started this copy over because the source changed under it. */
  int restarts;
  /** Copied byte for byte: the file must not change after the copy (it is hashed as written). */
  boolean copiedAsImage;
  /** Copied with VACUUM INTO or table by table: its page count is the copy's, not the source's. */
  boolean rewritten;
  /** Writes the file to publish from the copy with O_DIRECT; null if the copy itself is published. */
  DirectIoCopy direct;
  /** Where what is published is staged, when not beside the copy (see {@link #output()}). */
  private BackupStore.Staging output;

  /** A copy of {@code schema}, whose live files the source connection owns. */
  public StagedCopy(String schema, LiveDatabaseFiles files) {
    this.schema = schema;
    this.sourceFile = files.given();
    this.files = files;
  }

  /** The source schema being copied. */
  public String schema() {
    return schema;
  }

  /** The schema's file as the user named it: for messages and names. */
  public Path sourceFile() {
    return sourceFile;
  }

  /** The schema's live files, owned by the source connection. */
  public LiveDatabaseFiles files() {
    return files;
  }

  /** Whether the copy is held in memory ({@code :memory:}) rather than in a temporary file. */
  public boolean inMemory() {
    return memory != null;
  }

  /** The in-memory copy; only when {@link #inMemory()}. */
  public SqliteDatabase memory() {
    return memory;
  }

  /** The temporary files of a copy staged on disk; only when not {@link #inMemory()}. */
  public BackupStore.Staging staging() {
    return file;
  }

  public long pageSize() {
    return pageSize;
  }

  public long pageCount() {
    return pageCount;
  }

  /** The tables copied with their rows (a table copy), or counted (a copy in memory); else empty. */
  public List<TableRows> tables() {
    return tables;
  }

  /** The SHA-256 of the copy as written, or null where it was not hashed while copied. */
  public String hashedWhileCopied() {
    return sha256;
  }

  public int restarts() {
    return restarts;
  }

  /** Whether the copy is the source file byte for byte (already a rollback-journal file, hashed as written). */
  public boolean copiedAsImage() {
    return copiedAsImage;
  }

  /** Whether the copy was rewritten (VACUUM INTO, a table copy): its page count is its own, not the source's. */
  public boolean rewritten() {
    return rewritten;
  }

  /**
   * Where the bytes to publish are staged: beside the copy, or, for an encrypted backup to this
   * machine, in the destination's own staging ({@link #stageOutputIn}), since the plain copy stays
   * in the private scratch folder.
   */
  public BackupStore.Staging output() {
    return output != null ? output : file;
  }

  /** Stages what is published in {@code store} rather than beside the copy; removed with the copy. */
  public void stageOutputIn(BackupStore store) throws java.io.IOException {
    output = store.stage(files.dataMode());
  }

  /** The O_DIRECT copy the backup is published through, or null where the copy itself is. */
  public DirectIoCopy direct() {
    return direct;
  }

  /** Records the page count the check found in a rewritten copy. */
  public void checkedPages(long pages) {
    if (rewritten) {
      pageCount = pages;
    }
  }

  /** Records the tables and row counts of an in-memory copy, which its summary reports. */
  public void countedTables(List<TableRows> counted) {
    tables = counted;
  }

  @Override
  public void close() {
    if (direct != null) {
      direct.close();
    }
    if (file != null) {
      file.close();
    }
    if (output != null) {
      output.close();
    }
    if (memory != null) {
      memory.close();
    }
  }
}
