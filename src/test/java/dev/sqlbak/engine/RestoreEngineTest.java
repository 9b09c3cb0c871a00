package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.integrityCheck;
import static dev.sqlbak.TestDatabases.listing;
import static dev.sqlbak.TestDatabases.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.e2e.RestoreIT;
import dev.sqlbak.payload.Sidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Restore on real files: round trips, safety copies, journal modes, refusals that touch nothing. */
class RestoreEngineTest {
  @TempDir Path dir;
  private final BackupEngine backups = new BackupEngine();
  private final RestoreEngine engine = new RestoreEngine();

  private Path backupOf(Path source) {
    Path dest = dir.resolve(source.getFileName() + ".bak");
    backups.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE);
    return dest;
  }

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void roundTripIntoANewFileKeepsSchemaRowsBlobsTriggersAndViews(boolean wal) throws Exception {
    Path source = createSample(dir.resolve("app.db"), wal, 700);
    Path backup = backupOf(source);
    Path target = dir.resolve("restored.db");

    RestoreResult r = engine.restore(RestoreRequest.of(backup, target), ProgressListener.NONE);

    assertTrue(r.created());
    assertNull(r.safetyCopy());
    assertEquals(contentDigest(source), contentDigest(target));
    assertEquals("ok", integrityCheck(target));
    // The trigger came along and still works in the restored database.
    try (Connection c = TestDatabases.open(target); Statement s = c.createStatement()) {
      s.execute("INSERT INTO users(name) VALUES ('after restore')");
    }
    assertEquals(701, TestDatabases.scalar(target, "SELECT count(*) FROM audit"));
    assertEquals(701, TestDatabases.scalar(target, "SELECT count(*) FROM user_names"));
  }

  @Test
  void roundTripOfADatabaseOver100MiB() throws Exception {
    Path source = TestDatabases.createLarge(dir.resolve("big.db"), true, 110);
    Path backup = backupOf(source);
    Path target = dir.resolve("restored.db");
    engine.restore(RestoreRequest.of(backup, target), ProgressListener.NONE);
    assertTrue(Files.size(target) > 100L << 20);
    assertEquals(contentDigest(source), contentDigest(target));
  }

  @ParameterizedTest(name = "target wal={0}")
  @ValueSource(booleans = {false, true})
  void forceSavesTheOldContentAndKeepsTheTargetsJournalMode(boolean wal) throws Exception {
    Path source = createSample(dir.resolve("app.db"), !wal, 300);
    Path backup = backupOf(source);
    Path target = createSample(dir.resolve("live.db"), wal, 20);
    String oldContent = contentDigest(target);

    RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE);

    assertFalse(r.created());
    assertEquals(contentDigest(source), contentDigest(target));
    assertEquals(wal ? "wal" : "delete", TestDatabases.column(target, "PRAGMA journal_mode").get(0));
    assertTrue(r.safetyCopy().getFileName().toString().matches("live\\.db\\.pre-restore-\\d{8}T\\d{6}Z"),
        r.safetyCopy().toString());
    assertEquals(oldContent, contentDigest(r.safetyCopy()));
    assertEquals("delete", TestDatabases.column(r.safetyCopy(), "PRAGMA journal_mode").get(0));
    assertFalse(Files.exists(Sidecar.of(r.safetyCopy())));
  }

  /**
   * A backup whose header says WAL (a plain copy of a WAL-mode file, not made by sqlbak) restored
   * into a rollback-journal target: the backup API copies page 1 as it is, so the target must
   * never say WAL once the copy commits. If it did, a reader reading the target in that instant
   * switches to WAL mode and holds the target's SHARED lock while open, and switching the target
   * back fails as busy (seen in RestoreIT). Checked at the commit itself, from the listener.
   */
  @Test
  void aWalHeaderBackupNeverMakesARollbackTargetSayWal() throws Exception {
    Path walFile = createSample(dir.resolve("wal.db"), true, 400);
    Path backup = TestDatabases.plainCopyOfWalFile(walFile, dir.resolve("plain-copy.db"));
    String backupBytes = sha256(backup);
    Path target = createSample(dir.resolve("live.db"), false, 20);
    List<String> atCommit = new java.util.ArrayList<>();
    Path scratch = Files.createDirectory(dir.resolve("tmp"));
    String systemTmp = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", scratch.toString());
    try {
      engine.restore(RestoreRequest.of(backup, target).withForce(true), new ProgressListener() {
        @Override
        public void copied(String schema, long copiedPages, long totalPages) {}

        @Override
        public void copyFinished(String schema, long totalPages) {
          try {
            atCommit.add(TestDatabases.headerJournalMode(target));
            assertEquals(1, TestDatabases.scratchFiles(scratch).stream().filter(n -> n.endsWith(".db")).count(),
                "the backup is restored from a scratch copy: " + TestDatabases.scratchFiles(scratch));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      });
    } finally {
      System.setProperty("java.io.tmpdir", systemTmp);
    }

    assertEquals(List.of("rollback"), atCommit, "the target's header right after the copy committed");
    assertEquals("rollback", TestDatabases.headerJournalMode(target));
    assertEquals(contentDigest(walFile), contentDigest(target));
    assertEquals("ok", integrityCheck(target));
    assertEquals(backupBytes, sha256(backup), "the backup itself is never rewritten");
    assertEquals(List.of(), TestDatabases.scratchFiles(scratch), "the scratch copy is removed");
  }

  @Test
  void aWalHeaderBackupIsReadWithoutLeavingWalOrShmFilesBesideIt() throws Exception {
    Path walFile = createSample(dir.resolve("wal.db"), true, 400);
    Path folder = Files.createDirectory(dir.resolve("backups"));
    Path backup = TestDatabases.plainCopyOfWalFile(walFile, folder.resolve("plain-copy.db"));
    Path newTarget = dir.resolve("new.db");
    Path walTarget = createSample(dir.resolve("live-wal.db"), true, 20);

    engine.restore(RestoreRequest.of(backup, newTarget), ProgressListener.NONE);
    engine.restore(RestoreRequest.of(backup, walTarget).withForce(true), ProgressListener.NONE);

    assertEquals(List.of("plain-copy.db"), listing(folder));
    assertEquals(contentDigest(walFile), contentDigest(newTarget));
    assertEquals(contentDigest(walFile), contentDigest(walTarget));
  }

  /**
   * A restore killed mid-copy leaves TARGET with a hot journal. The next restore must not fail on
   * it (the safety copy reads TARGET read-only, which cannot roll a journal back): it rolls the
   * journal back as an application would, saves the committed old content and restores.
   */
  @Test
  void aTargetLeftWithAHotJournalIsRolledBackThenSavedAndRestored() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 300);
    Path backup = backupOf(source);
    Path live = createSample(dir.resolve("live.db"), false, 2000);
    String committed = contentDigest(live);
    Path target = TestDatabases.copyInMidTransaction(live, dir.resolve("target.db"));
    assertTrue(assertThrows(java.sql.SQLException.class, () -> contentDigest(target)).getMessage()
        .contains("SQLITE_READONLY_ROLLBACK"), "the test needs a hot journal that a read-only open cannot handle");

    RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE);

    assertEquals(committed, contentDigest(r.safetyCopy()), "the safety copy holds the last committed content");
    assertEquals("ok", integrityCheck(r.safetyCopy()));
    assertEquals(contentDigest(source), contentDigest(target));
    assertFalse(Files.exists(dir.resolve("target.db-journal")));
    assertEquals(List.of("TARGET had a hot journal (a writer or a restore was killed mid-transaction): it was rolled"
        + " back before restoring, as SQLite does on the next open: " + target), r.warnings(), "and it says so");
  }

  @Test
  void aSourceWithAHotJournalIsRefusedWithTheReasonAndLeftAsItIs() throws Exception {
    Path live = createSample(dir.resolve("live.db"), false, 2000);
    Path source = TestDatabases.copyInMidTransaction(live, dir.resolve("crashed.db"));
    String bytes = sha256(source);
    String journal = sha256(dir.resolve("crashed.db-journal"));

    SqlbakException e = assertThrows(SqlbakException.class,
        () -> backups.backup(BackupRequest.of(source, dir.resolve("out.db").toString()), ProgressListener.NONE));

    assertEquals(SqlbakException.Kind.FAILED, e.kind());
    assertTrue(e.getMessage().startsWith("source has a hot journal: " + source + "-journal; a writer crashed"),
        e.getMessage());
    assertEquals(bytes, sha256(source), "the source is never written, not even to roll it back");
    assertEquals(journal, sha256(dir.resolve("crashed.db-journal")));
    assertFalse(Files.exists(dir.resolve("out.db")));
  }

  @Test
  void noSafetyCopyMeansNone() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 30));
    Path target = createSample(dir.resolve("live.db"), false, 3);
    RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(false),
        ProgressListener.NONE);
    assertNull(r.safetyCopy());
    assertTrue(listing(dir).stream().noneMatch(n -> n.contains("pre-restore")), listing(dir).toString());
  }

  @Test
  void existingTargetWithoutForceIsUntouched() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 30));
    Path target = createSample(dir.resolve("live.db"), false, 3);
    String before = sha256(target);
    List<String> files = listing(dir);
    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.restore(RestoreRequest.of(backup, target), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.FAILED, e.kind());
    assertTrue(e.getMessage().startsWith("target exists: " + target), e.getMessage());
    assertEquals(before, sha256(target));
    assertEquals(files, listing(dir));
  }

  @Test
  void aBadBackupIsRefusedBeforeAnythingIsTouched() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 300));
    byte[] bytes = Files.readAllBytes(backup);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(backup, bytes);
    Path target = createSample(dir.resolve("live.db"), false, 3);
    String before = sha256(target);
    List<String> files = listing(dir);

    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE));

    assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind());
    assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
    assertEquals(before, sha256(target));
    assertEquals(files, listing(dir), "no safety copy for a refused backup");
  }

  @Test
  void aCorruptBackupWithoutSidecarIsRefusedByIntegrityCheck() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 3000));
    Files.delete(Sidecar.of(backup));
    TestDatabases.scribblePage(backup, TestDatabases.middlePage(backup));
    Path target = dir.resolve("new.db");
    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.restore(RestoreRequest.of(backup, target), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind());
    assertFalse(Files.exists(target));
  }

  @Test
  void emptyAndTextFilesAreBadBackupsAndAMissingOneCannotBeRead() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.db"));
    Path text = dir.resolve("text.db");
    Files.writeString(text, "not a database at all\n".repeat(100));
    for (Path bad : List.of(empty, text)) {
      SqlbakException e = assertThrows(SqlbakException.class,
          () -> engine.restore(RestoreRequest.of(bad, dir.resolve("t.db")), ProgressListener.NONE));
      assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind(), e.getMessage());
    }
    SqlbakException missing = assertThrows(SqlbakException.class,
        () -> engine.restore(RestoreRequest.of(dir.resolve("nope.db"), dir.resolve("t.db")), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.FAILED, missing.kind());
    assertFalse(Files.exists(dir.resolve("t.db")));
  }

  @Test
  void aBusyTargetWaitsThenFailsUnchangedWithoutLeavingASafetyCopy() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 300));
    Path target = createSample(dir.resolve("live.db"), false, 3);
    String before = contentDigest(target);
    List<String> files = listing(dir);
    try (Connection holder = TestDatabases.open(target); Statement s = holder.createStatement()) {
      // A pending write: readers (the safety copy) may proceed, writers (the restore) may not.
      s.execute("BEGIN IMMEDIATE");
      s.execute("INSERT INTO users(name) VALUES ('uncommitted')");
      long t0 = System.nanoTime();
      SqlbakException e = assertThrows(SqlbakException.class, () -> engine.restore(
          RestoreRequest.of(backup, target).withForce(true).withBusyTimeout(Duration.ofMillis(500)),
          ProgressListener.NONE));
      assertTrue((System.nanoTime() - t0) / 1_000_000 >= 400, "gave up before the busy timeout");
      assertTrue(e.getMessage().startsWith("target is busy: " + target), e.getMessage());
      s.execute("ROLLBACK");
    }
    assertEquals(before, contentDigest(target));
    assertEquals(files, listing(dir));
  }

  @Test
  void targetThatIsTheBackupItselfIsRefused() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 10));
    String before = sha256(backup);
    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.restore(RestoreRequest.of(backup, backup).withForce(true), ProgressListener.NONE));
    assertTrue(e.getMessage().startsWith("target is the backup itself"), e.getMessage());
    assertEquals(before, sha256(backup));
  }

  @Test
  void progressReachesTheTotal() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 2000));
    long pages = TestDatabases.scalar(backup, "PRAGMA page_count");
    long[] last = {0, 0};
    int[] calls = {0};
    engine.restore(RestoreRequest.of(backup, dir.resolve("t.db")).withPages(10), (schema, copied, total) -> {
      assertTrue(copied > last[0]);
      last[0] = copied;
      last[1] = total;
      calls[0]++;
    });
    assertEquals(pages, last[0]);
    assertEquals((pages + 9) / 10, calls[0]);
  }
}
