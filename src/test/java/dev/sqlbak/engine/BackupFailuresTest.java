package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input and hostile conditions: each fails with one clear message and leaves nothing behind. */
class BackupFailuresTest {
  @TempDir Path dir;
  private final BackupEngine engine = new BackupEngine();
  private Path source;

  @BeforeEach
  void sample() throws Exception {
    source = createSample(dir.resolve("app.db"), false, 300);
  }

  /** Runs a backup expected to fail, checks nothing appeared in {@code dir}, returns the failure. */
  private SqlbakException fails(BackupRequest request) throws Exception {
    List<String> before = listing(dir);
    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.backup(request, ProgressListener.NONE));
    assertEquals(before, listing(dir), "a failed backup must leave the folder as it was");
    assertFalse(e.getMessage().contains("\n"));
    return e;
  }

  private Path dest() {
    return dir.resolve("backup.db");
  }

  @Test
  void missingSourceIsReportedAndNeverCreated() throws Exception {
    Path missing = dir.resolve("missing.db");
    SqlbakException e = fails(BackupRequest.of(missing, dest().toString()));
    assertEquals("source not found: " + missing, e.getMessage());
    assertFalse(Files.exists(missing));
  }

  @Test
  void directorySourceIsRefused() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    assertTrue(fails(BackupRequest.of(sub, dest().toString())).getMessage().startsWith("source is a directory"));
  }

  @Test
  void emptyFileIsNotADatabase() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.db"));
    assertTrue(fails(BackupRequest.of(empty, dest().toString())).getMessage().contains("empty (0 bytes)"));
  }

  @Test
  void textAndRandomBytesAreNotDatabases() throws Exception {
    Path text = dir.resolve("notes.db");
    Files.writeString(text, "hello, this is not a database\n".repeat(200));
    assertEquals("not a SQLite database: " + text, fails(BackupRequest.of(text, dest().toString())).getMessage());

    byte[] noise = new byte[64 * 1024];
    new Random(7).nextBytes(noise);
    Path random = dir.resolve("noise.db");
    Files.write(random, noise);
    assertEquals("not a SQLite database: " + random, fails(BackupRequest.of(random, dest().toString())).getMessage());
  }

  @Test
  void truncatedDatabaseIsRefused() throws Exception {
    byte[] bytes = Files.readAllBytes(source);
    Path truncated = dir.resolve("truncated.db");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    SqlbakException e = fails(BackupRequest.of(truncated, dest().toString()));
    assertEquals(SqlbakException.Kind.FAILED, e.kind());
    assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
  }

  @Test
  void destinationThatIsTheSourceIsRefusedEvenWithForce() throws Exception {
    String digest = TestDatabases.sha256(source);
    for (String same : List.of(source.toString(), dir + "/./app.db", "link.db")) {
      Path link = dir.resolve("link.db");
      if (same.equals("link.db") && !Files.exists(link)) {
        Files.createSymbolicLink(link, source);
      }
      String target = same.equals("link.db") ? link.toString() : same;
      List<String> before = listing(dir);
      SqlbakException e = assertThrows(SqlbakException.class,
          () -> engine.backup(BackupRequest.of(source, target).withForce(true), ProgressListener.NONE));
      assertTrue(e.getMessage().startsWith("destination is the source itself"), e.getMessage());
      assertEquals(before, listing(dir));
    }
    assertEquals(digest, TestDatabases.sha256(source));
  }

  @Test
  void missingDestinationFolderIsReported() throws Exception {
    SqlbakException e = fails(BackupRequest.of(source, dir.resolve("nope/backup.db").toString()));
    assertEquals("destination folder does not exist: " + dir.resolve("nope") + "; create it first", e.getMessage());
  }

  @Test
  void trailingSlashNamesAFolderThatMustExist() throws Exception {
    SqlbakException e = fails(BackupRequest.of(source, dir.resolve("out") + "/"));
    assertEquals("destination folder does not exist: " + dir.resolve("out") + "; create it first", e.getMessage());
  }

  @Test
  void forceNeverReplacesSomethingThatIsNotAFile() throws Exception {
    Path fifo = dir.resolve("pipe");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is not available");
    SqlbakException e = fails(BackupRequest.of(source, fifo.toString()).withForce(true));
    assertTrue(e.getMessage().startsWith("destination is not a regular file: " + fifo), e.getMessage());
    assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class).isOther());
  }

  @Test
  void existingDestinationIsLeftUntouchedWithoutForce() throws Exception {
    Files.writeString(dest(), "precious");
    SqlbakException e = fails(BackupRequest.of(source, dest().toString()));
    assertEquals("destination exists: " + dest() + "; use --force to replace it", e.getMessage());
    assertEquals("precious", Files.readString(dest()));
  }

  @Test
  void unknownSchemaIsNamed() throws Exception {
    SqlbakException e = fails(BackupRequest.of(source, dest().toString()).withSchemas(List.of("nosuch"), null));
    assertTrue(e.getMessage().startsWith("unknown schema: nosuch; the source has main"), e.getMessage());
  }

  @Test
  void schemaNamesAreCaseInsensitiveLikeSqlite() throws Exception {
    Path aux = createSample(dir.resolve("aux.db"), false, 5);
    Path out = java.nio.file.Files.createDirectory(dir.resolve("out"));
    BackupResult r = engine.backup(BackupRequest.of(source, out.toString())
        .withSchemas(List.of("MAIN", "aux"), Map.of("AUX", aux)), ProgressListener.NONE);
    assertEquals(TestDatabases.contentDigest(source), TestDatabases.contentDigest(r.copies().get(0).file()));
    assertEquals(TestDatabases.contentDigest(aux), TestDatabases.contentDigest(r.copies().get(1).file()));
    SqlbakException twice = assertThrows(SqlbakException.class, () -> engine.backup(
        BackupRequest.of(source, out.toString()).withSchemas(List.of("main", "MAIN"), null), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.USAGE, twice.kind());
  }

  @Test
  void severalSchemasNeedADirectory() throws Exception {
    Path aux = createSample(dir.resolve("aux.db"), false, 5);
    SqlbakException e = fails(BackupRequest.of(source, dest().toString())
        .withSchemas(List.of("main", "aux"), Map.of("aux", aux)));
    assertTrue(e.getMessage().startsWith("several schemas need a directory destination"), e.getMessage());
  }

  @Test
  void missingAttachedFileIsReportedAndNeverCreated() throws Exception {
    Path missing = dir.resolve("aux.db");
    SqlbakException e = fails(BackupRequest.of(source, dir.toString())
        .withSchemas(List.of("main", "aux"), Map.of("aux", missing)));
    assertEquals("attached database not found: " + missing, e.getMessage());
    assertFalse(Files.exists(missing));
  }

  @Test
  void invalidPageStepsAreUsageErrors() {
    for (int pages : new int[] {0, -2, -5}) {
      SqlbakException e = assertThrows(SqlbakException.class,
          () -> BackupRequest.of(source, "x.db").withPages(pages));
      assertEquals(SqlbakException.Kind.USAGE, e.kind());
    }
  }

  @Test
  void lockedSourceWaitsForTheBusyTimeoutThenFails() throws Exception {
    try (Connection holder = TestDatabases.open(source); Statement s = holder.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      long t0 = System.nanoTime();
      SqlbakException e = fails(BackupRequest.of(source, dest().toString())
          .withBusyTimeout(Duration.ofMillis(400)));
      long waitedMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals("source is locked: " + source
          + "; another process held a lock longer than --busy-timeout 400ms", e.getMessage());
      assertTrue(waitedMs >= 350, "gave up after " + waitedMs + " ms");
      s.execute("ROLLBACK");
    }
  }

  @Test
  void lockReleasedWithinTheBusyTimeoutLetsTheBackupThrough() throws Exception {
    Connection holder = TestDatabases.open(source);
    Statement s = holder.createStatement();
    s.execute("BEGIN EXCLUSIVE");
    CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(300);
        s.execute("ROLLBACK");
        holder.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    BackupResult r = engine.backup(BackupRequest.of(source, dest().toString())
        .withBusyTimeout(Duration.ofSeconds(10)), ProgressListener.NONE);
    release.join();
    assertEquals(TestDatabases.contentDigest(source), TestDatabases.contentDigest(r.copies().get(0).file()));
  }

  @Test
  void fullDiskFailsCleanlyAndKeepsOlderBackups() throws Exception {
    Path small = Files.createDirectory(dir.resolve("small"));
    Supplier<Boolean> mounted = () -> dev.sqlbak.TestCommands.succeeds("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString());
    org.junit.jupiter.api.Assumptions.assumeTrue(mounted.get(),
        "needs root to mount a 2 MiB tmpfs (mount -t tmpfs); not available here");
    try {
      Path tiny = createSample(dir.resolve("tiny.db"), false, 10);
      Path old = engine.backup(BackupRequest.of(tiny, small.toString()), ProgressListener.NONE)
          .copies().get(0).file();
      String oldDigest = TestDatabases.sha256(old);
      List<String> before = listing(small);
      Path big = TestDatabases.createLarge(dir.resolve("big.db"), false, 5);

      SqlbakException e = assertThrows(SqlbakException.class,
          () -> engine.backup(BackupRequest.of(big, small.toString()), ProgressListener.NONE));

      assertTrue(e.getMessage().startsWith("destination is full: " + small), e.getMessage());
      assertEquals(before, listing(small));
      assertEquals(oldDigest, TestDatabases.sha256(old));
    } finally {
      dev.sqlbak.TestCommands.succeeds("umount", small.toString());
    }
  }

}
