package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.e2e.HelperJvm;
import dev.sqlbak.e2e.Neighbours;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The first promise, tried against the neighbours real databases have: every backup is the
 * database as of one moment, with writers in other processes that open and close a connection per
 * transaction, and a process that checkpoints (TRUNCATE) in a loop. Each writer transaction sets
 * every row with {@code id % MOD = 0} to one new value, so a copy holding two values of those rows
 * holds rows from before and after one transaction: torn.
 *
 * <p>The neighbours run SQLite 3.40 (see {@code HelperJvm.withOlderSqlite}): its last-close
 * checkpoint backfills past other readers' marks once it holds the EXCLUSIVE lock, as the SQLite
 * of many applications does; 3.54's did not tear copies in the same runs.
 *
 * <p>The neighbours must be other processes: POSIX locks belong to a process, and the defect this
 * guards against (sqlbak closing a descriptor of the source, which dropped its SQLite connection's
 * lock and let a writer's last close checkpoint and delete the -wal under the copy) cannot happen
 * between connections of one process. Each variant runs twice, 25 times with {@code
 * -Dsqlbak.soak=true}.
 */
class SnapshotConsistencyTest {
  static final int ROWS = 6000;
  static final int MOD = 100;
  static final int ROUNDS = Boolean.getBoolean("sqlbak.soak") ? 25 : 2;

  @TempDir Path dir;
  private final BackupEngine engine = new BackupEngine();

  /** One way of backing up, applied to a request for the main file into a directory. */
  private record Variant(String name, UnaryOperator<BackupRequest> shape) {}

  private List<Variant> variants(Path other) {
    return List.of(
        new Variant("default step", r -> r),
        new Variant("--pages 20", r -> r.withPages(20)),
        new Variant("--check none", r -> r.withCheck(CheckLevel.NONE)),
        new Variant("--pages 20 --check none", r -> r.withPages(20).withCheck(CheckLevel.NONE)),
        new Variant("--pages -1", r -> r.withPages(BackupRequest.ALL_PAGES)),
        new Variant("--compact", r -> r.withCompact(true)),
        new Variant("--table t", r -> r.withTables(List.of("t"))),
        new Variant("two schemas", r -> r.withSchemas(List.of("main", "other"), Map.of("other", other))));
  }

  @ParameterizedTest(name = "{0} mode, {1}")
  @CsvSource({
      "wal, writers",
      "wal, writers and a checkpointer",
      "delete, writers",
      "delete, writers and a checkpointer"})
  void everyBackupIsOneMomentUnderWritersThatReconnect(String journalMode, String neighbours) throws Exception {
    Path main = createTable(dir.resolve("app.db"), journalMode);
    Path other = createTable(dir.resolve("other.db"), journalMode);
    List<String> torn = new ArrayList<>();
    int copies = 0;
    try (Neighbours n = new Neighbours()) {
      n.start("writer", main, String.valueOf(MOD)).start("writer", other, String.valueOf(MOD));
      if (neighbours.contains("checkpointer")) {
        n.start("checkpointer", main).start("checkpointer", other);
      }
      for (int round = 0; round < ROUNDS; round++) {
        for (Variant v : variants(other)) {
          Path out = Files.createDirectories(dir.resolve("out-" + copies++));
          BackupResult result = engine.backup(v.shape().apply(BackupRequest.of(main, out.toString())),
              ProgressListener.NONE);
          for (BackupCopy copy : result.copies()) {
            String problem = tornOrBroken(copy.file());
            if (problem != null) {
              torn.add(v.name() + " (round " + round + ", " + copy.schema() + "): " + problem);
            }
          }
        }
      }
      List<Long> work = n.stop();
      assertTrue(work.get(0) > copies, "the writer must have committed throughout, did " + work);
    }
    assertEquals(List.of(), torn, "copies that are not one moment of the source");
  }

  /** A WAL-mode or rollback-journal database of {@value #ROWS} rows of 2 KB, {@code v} 0 everywhere. */
  static Path createTable(Path file, String journalMode) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=" + journalMode);
      s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad BLOB)");
      s.execute("CREATE INDEX t_v ON t(v)");
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ")"
          + " INSERT INTO t(id, v, pad) SELECT i, 0, randomblob(2000) FROM n");
    }
    return file;
  }

  /** What is wrong with a copy: rows of two moments, rows missing, or a failed integrity_check; null if nothing. */
  static String tornOrBroken(Path copy) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + copy + "?mode=ro");
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        if (!"ok".equals(rs.getString(1))) {
          return "integrity_check: " + rs.getString(1);
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT v) FILTER (WHERE id % " + MOD
          + " = 0), min(v) FILTER (WHERE id % " + MOD + " = 0), max(v) FILTER (WHERE id % " + MOD + " = 0) FROM t")) {
        rs.next();
        if (rs.getLong(1) != ROWS) {
          return rs.getLong(1) + " rows of " + ROWS;
        }
        return rs.getLong(2) == 1 ? null : "v from " + rs.getLong(3) + " to " + rs.getLong(4);
      }
    }
  }
}
