package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Judges an existing regular-file restore target before anything is written to it: a sound
 * database (restored online, in place) or damaged, and how (replaced by {@link DamagedTargetRestore}).
 *
 * <p>The bytes are looked at first, through the descriptor the restore holds, without SQLite: a
 * file whose header is not SQLite's, or that is shorter than its header says, is judged without
 * ever being opened, so that a hot journal beside it is never rolled back into it (its bytes are
 * saved as they are, with the journal beside the safety copy). A file whose bytes look right is
 * then opened as an application would open it, which rolls a hot journal back, and must pass
 * quick_check: SQLITE_CORRUPT, SQLITE_NOTADB or a failed check mean damaged; any other failure
 * (busy, unreadable) stops the restore as it would have stopped anyway.
 */
final class TargetCondition {
  private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_BYTES = 100;

  private TargetCondition() {}

  /** The damage of the target {@code held} refers to, or empty for a sound database. */
  static Optional<TargetDamage> damageOf(LiveDatabaseFiles held, Path target, RestoreRequest request) {
    long size;
    try {
      size = held.size();
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read target", target, Failures.reason(e), e);
    }
    Optional<TargetDamage> byBytes = damageByBytes(held, size);
    return byBytes.isPresent() ? byBytes : damageSeenBySqlite(held, target, request);
  }

  private static Optional<TargetDamage> damageByBytes(LiveDatabaseFiles held, long size) {
    if (size == 0) {
      return Optional.of(new TargetDamage(TargetDamage.Kind.EMPTY, "0 bytes"));
    }
    ByteBuffer h = held.header();
    if (h.limit() < HEADER_BYTES) {
      return notADatabase("only " + h.limit() + " bytes, less than a database header");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (h.get(i) != MAGIC[i]) {
        return notADatabase("its first 16 bytes are not \"SQLite format 3\"");
      }
    }
    int rawPageSize = Short.toUnsignedInt(h.getShort(16));
    long pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
    if (pageSize < 512 || pageSize > 65536 || Long.bitCount(pageSize) != 1) {
      return notADatabase("its header names no valid page size (" + rawPageSize + ")");
    }
    // The page count in the header counts only while its "version-valid-for" matches the change
    // counter (SQLite's own rule); and a hot journal or a -wal with content may still complete or
    // undo the file, so only SQLite may judge a file that has either.
    long pageCount = Integer.toUnsignedLong(h.getInt(28));
    boolean countValid = pageCount > 0 && h.getInt(24) == h.getInt(92);
    if (countValid && size < pageCount * pageSize && !hasContent(held.sideFile("-journal"))
        && !hasContent(held.sideFile("-wal"))) {
      return Optional.of(new TargetDamage(TargetDamage.Kind.TRUNCATED,
          size + " of the " + pageCount * pageSize + " bytes its header names"));
    }
    return Optional.empty();
  }

  private static Optional<TargetDamage> notADatabase(String detail) {
    return Optional.of(new TargetDamage(TargetDamage.Kind.NOT_A_DATABASE, detail));
  }

  private static boolean hasContent(Path side) {
    try {
      return Files.exists(side, LinkOption.NOFOLLOW_LINKS) && Files.size(side) > 0;
    } catch (IOException e) {
      return true; // cannot tell: leave the judgement to SQLite
    }
  }

  /**
   * Opens the target read-write, as its application would (which rolls back a hot journal and
   * recovers a -wal), and runs quick_check. The connection shares the descriptor {@code held}
   * keeps, so its close drops none of this process's locks.
   */
  private static Optional<TargetDamage> damageSeenBySqlite(LiveDatabaseFiles held, Path target,
      RestoreRequest request) {
    try (SqliteDatabase t = SqliteDatabase.openExisting(LiveDatabaseFiles.openForSqlite(held.real()),
        request.busyTimeout())) {
      t.readSchema();
      List<String> problems = t.check(CheckLevel.QUICK);
      if (problems.isEmpty()) {
        return Optional.empty();
      }
      String first = problems.get(0).replace("*** in database main ***", "");
      return Optional.of(new TargetDamage(TargetDamage.Kind.CORRUPT, "quick_check: " + first));
    } catch (SqliteFailure f) {
      switch (f.reason()) {
        case CORRUPT:
          return Optional.of(new TargetDamage(TargetDamage.Kind.CORRUPT, sqliteSays(f)));
        case NOT_A_DATABASE:
          return notADatabase(sqliteSays(f));
        default:
          throw RestoreEngine.targetFailure(f, target, request);
      }
    }
  }

  /** SQLite's words without the driver's bracketed code: "database disk image is malformed". */
  private static String sqliteSays(SqliteFailure f) {
    String m = String.valueOf(f.getMessage());
    int paren = m.lastIndexOf('(');
    return paren >= 0 && m.endsWith(")") ? m.substring(paren + 1, m.length() - 1) : m;
  }
}
