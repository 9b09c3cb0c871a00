package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.Sidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** backup --compact (VACUUM INTO): same content, fewer pages, same publishing guarantees. */
class CompactBackupTest {
  @TempDir Path dir;
  private final BackupEngine engine = new BackupEngine();

  /** A database with many free pages: the thing --compact is for. */
  private Path fragmented(boolean wal) throws Exception {
    Path source = createSample(dir.resolve("app.db"), wal, 3000);
    try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
      s.execute("DELETE FROM users WHERE id % 3 <> 0");
      s.execute("DELETE FROM audit WHERE id % 2 = 0");
      if (wal) {
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    assertTrue(TestDatabases.scalar(source, "PRAGMA freelist_count") > 10);
    return source;
  }

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void compactCopyHasTheSameContentInFewerPagesAndNoFreelist(boolean wal) throws Exception {
    Path source = fragmented(wal);
    Path dest = dir.resolve("compact.db");
    List<String> events = new ArrayList<>();

    BackupCopy copy = engine.backup(BackupRequest.of(source, dest.toString()).withCompact(true),
        new ProgressListener() {
          @Override
          public void copied(String schema, long copiedPages, long totalPages) {
            events.add("copied");
          }

          @Override
          public void copyFinished(String schema, long totalPages) {
            events.add("finished");
          }
        }).copies().get(0);

    assertEquals(List.of("finished"), events, "no page progress with VACUUM INTO");
    assertEquals(contentDigest(source), contentDigest(dest));
    assertEquals("ok", TestDatabases.integrityCheck(dest));
    assertEquals(0, TestDatabases.scalar(dest, "PRAGMA freelist_count"));
    assertEquals("delete", TestDatabases.column(dest, "PRAGMA journal_mode").get(0));
    assertTrue(Files.size(dest) < Files.size(source), Files.size(dest) + " vs " + Files.size(source));
    assertEquals(TestDatabases.scalar(dest, "PRAGMA page_count"), copy.pageCount());
    assertTrue(TestDatabases.hashLine(Sidecar.of(dest)).startsWith(TestDatabases.sha256(dest)));
  }

  @Test
  void compactIntoMemoryAndIntoACompressedDirectoryBackup() throws Exception {
    Path source = fragmented(false);
    BackupCopy memory = engine.backup(BackupRequest.of(source, BackupRequest.MEMORY).withCompact(true),
        ProgressListener.NONE).copies().get(0);
    assertEquals(TestDatabases.scalar(source, "SELECT count(*) FROM users"),
        memory.tables().stream().filter(t -> t.name().equals("users")).findFirst().orElseThrow().rows());
    Path out = Files.createDirectory(dir.resolve("out"));
    BackupCopy zst = engine.backup(BackupRequest.of(source, out.toString()).withCompact(true)
        .withCompression(Compression.ZSTD), ProgressListener.NONE).copies().get(0);
    Path restored = dir.resolve("restored.db");
    new RestoreEngine().restore(RestoreRequest.of(zst.file(), restored), ProgressListener.NONE);
    assertEquals(contentDigest(source), contentDigest(restored));
  }

  @Test
  void compactWithPagesIsAUsageError() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 5);
    SqlbakException e = assertThrows(SqlbakException.class,
        () -> BackupRequest.of(source, dir.resolve("x.db").toString()).withPages(5).withCompact(true));
    assertEquals(SqlbakException.Kind.USAGE, e.kind());
  }
}
