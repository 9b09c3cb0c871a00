package dev.sqlbak.payload;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.engine.BackupCopy;
import dev.sqlbak.engine.BackupEngine;
import dev.sqlbak.engine.BackupRequest;
import dev.sqlbak.engine.DatabaseInfo;
import dev.sqlbak.engine.InfoEngine;
import dev.sqlbak.engine.ProgressListener;
import dev.sqlbak.engine.RestoreEngine;
import dev.sqlbak.engine.RestoreRequest;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.engine.VerifyEngine;
import dev.sqlbak.engine.VerifyRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Compressed backups: round trips through verify, info and restore; damage is always bad. */
class CompressionTest {
  @TempDir Path dir;
  private final BackupEngine engine = new BackupEngine();
  private Path scratch;
  private String savedTmpdir;

  @org.junit.jupiter.api.BeforeEach
  void privateScratchFolder() throws Exception {
    // A folder of this test's own, so that leftovers of other processes cannot blur the check.
    scratch = Files.createDirectory(dir.resolve("tmp"));
    savedTmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", scratch.toString());
  }

  @org.junit.jupiter.api.AfterEach
  void restoreTmpdir() {
    System.setProperty("java.io.tmpdir", savedTmpdir);
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void roundTripThroughVerifyInfoAndRestore(Compression compression) throws Exception {
    Path source = createSample(dir.resolve("app.db"), true, 2000);
    Path dest = dir.resolve("app.db" + compression.suffix());

    BackupCopy copy = engine.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE).copies().get(0);

    assertEquals(dest, copy.file());
    assertEquals(compression, copy.compression());
    assertEquals(compression, Compression.sniff(dest));
    assertTrue(Files.size(dest) < Files.size(source), "compressed should be smaller");
    assertEquals(Files.size(dest), copy.bytes());
    assertEquals(TestDatabases.sha256(dest), copy.sha256());
    assertEquals(copy.sha256() + "  " + dest.getFileName() + "\n", TestDatabases.hashLine(Sidecar.of(dest)));
    assertEquals(List.of("app.db", "app.db" + compression.suffix(), "app.db" + compression.suffix() + ".sha256", "tmp"),
        listing(dir).stream().filter(n -> !n.endsWith("-wal") && !n.endsWith("-shm")).toList());

    Verdict v = new VerifyEngine().verify(new VerifyRequest(List.of(dest), null, source, null, null)).get(0);
    assertEquals(Verdict.Status.OK, v.status(), v.problems().toString());

    DatabaseInfo info = new InfoEngine().info(dest);
    assertEquals(compression, info.compression());
    assertEquals(Files.size(dest), info.fileSize());
    assertEquals(TestDatabases.scalar(source, "PRAGMA page_count"), info.pageCount());

    Path restored = dir.resolve("restored.db");
    new RestoreEngine().restore(RestoreRequest.of(dest, restored), ProgressListener.NONE);
    assertEquals(contentDigest(source), contentDigest(restored));
    assertTrue(leftoverScratchFiles().isEmpty(), leftoverScratchFiles().toString());
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void aTruncatedCompressedBackupIsBadForVerifyAndRestore(Compression compression) throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 3000);
    Path dest = dir.resolve("app.db" + compression.suffix());
    engine.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE);
    Files.delete(Sidecar.of(dest));
    byte[] bytes = Files.readAllBytes(dest);
    Files.write(dest, Arrays.copyOf(bytes, bytes.length * 2 / 3));

    Verdict v = new VerifyEngine().verify(VerifyRequest.of(List.of(dest))).get(0);
    assertEquals(Verdict.Status.BAD, v.status());
    assertTrue(v.problems().get(0).startsWith("damaged or truncated"), v.problems().toString());

    Path target = dir.resolve("target.db");
    SqlbakException e = assertThrows(SqlbakException.class,
        () -> new RestoreEngine().restore(RestoreRequest.of(dest, target), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind());
    assertFalse(Files.exists(target));
    assertTrue(leftoverScratchFiles().isEmpty(), leftoverScratchFiles().toString());
  }

  @Test
  void compressOptionAppendsTheSuffixAndDirectoryNamesCarryIt() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 50);
    Path out = Files.createDirectory(dir.resolve("out"));
    BackupCopy toFile = engine.backup(BackupRequest.of(source, out.resolve("x.db").toString())
        .withCompression(Compression.ZSTD), ProgressListener.NONE).copies().get(0);
    assertEquals(out.resolve("x.db.zst"), toFile.file());
    BackupCopy toDir = engine.backup(BackupRequest.of(source, out.toString())
        .withCompression(Compression.GZIP), ProgressListener.NONE).copies().get(0);
    assertTrue(toDir.file().getFileName().toString().matches("app-\\d{8}T\\d{6}Z\\.db\\.gz"),
        toDir.file().toString());
  }

  @Test
  void contradictionsAreUsageErrors() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 5);
    for (BackupRequest bad : List.of(
        BackupRequest.of(source, dir.resolve("x.db.gz").toString()).withCompression(Compression.ZSTD),
        BackupRequest.of(source, dir.resolve("x.db.gz").toString()).withCompression(Compression.NONE),
        BackupRequest.of(source, BackupRequest.MEMORY).withCompression(Compression.GZIP))) {
      SqlbakException e = assertThrows(SqlbakException.class, () -> engine.backup(bad, ProgressListener.NONE));
      assertEquals(SqlbakException.Kind.USAGE, e.kind(), e.getMessage());
    }
    assertEquals(List.of("app.db", "tmp"), listing(dir));
  }

  @Test
  void aFlippedByteInACompressedBackupIsCaughtByItsSidecar() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 500);
    Path dest = dir.resolve("app.db.gz");
    engine.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE);
    byte[] original = Files.readAllBytes(dest);
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < 50; i++) {
      byte[] bytes = original.clone();
      bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
      Files.write(dest, bytes);
      assertEquals(Verdict.Status.BAD, new VerifyEngine().verify(VerifyRequest.of(List.of(dest))).get(0).status());
    }
  }

  /** Decompressed scratch copies live in java.io.tmpdir; none may outlive its command. */
  private List<String> leftoverScratchFiles() throws Exception {
    return TestDatabases.scratchFiles(scratch);
  }
}
