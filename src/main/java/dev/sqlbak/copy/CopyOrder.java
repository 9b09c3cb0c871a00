package dev.sqlbak.copy;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.tuning.Tuning;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongToIntFunction;

/**
 * What the copy step needs to know of a backup run.
 *
 * @param kind what is copied: the pages, a compacted rewrite, or chosen tables
 * @param tables the tables asked for (empty unless {@code kind} is {@link Kind#TABLES})
 * @param stepForPageSize pages per backup step for a schema of the given page size
 * @param busyTimeout how long to wait for a lock on the source
 * @param check how the copy will be checked (a byte-for-byte copy of a WAL-mode file is published
 *     through an O_DIRECT copy only when it is checked)
 * @param staging where copies are staged: a folder, or {@link Staging#MEMORY}
 * @param store the store whose staging the copy is written into; null in memory
 * @param folder the local folder that staging is in, for messages; null in memory
 * @param copyIsPublished whether the copy SQLite writes is itself what gets published (an
 *     uncompressed file backup), rather than something made from it and then deleted
 * @param tuning the machine-specific tuning in force
 */
public record CopyOrder(
    Kind kind,
    List<String> tables,
    LongToIntFunction stepForPageSize,
    Duration busyTimeout,
    CheckLevel check,
    Staging staging,
    BackupStore store,
    Path folder,
    boolean copyIsPublished,
    Tuning tuning) {

  /** What a backup copies. */
  public enum Kind {
    /** Every page, as the snapshot holds it. */
    PAGES,
    /** A rewrite without free pages (VACUUM INTO), which takes its own snapshot. */
    COMPACT,
    /** The chosen tables, read in one snapshot. */
    TABLES
  }

  /** Where a copy is staged before it is checked. */
  public enum Staging {
    /** A scratch file of {@link #store()}'s staging. */
    FOLDER,
    /** An in-memory database, for {@code :memory:}. */
    MEMORY
  }

  public CopyOrder {
    tables = List.copyOf(tables);
  }

  /** Whether the copy is read from one read transaction held by the source connection. */
  public boolean copiesPages() {
    return kind == Kind.PAGES;
  }
}
