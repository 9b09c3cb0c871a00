package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.payload.Sidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify on real files: what it accepts, and that it catches damage, changes and false claims. */
class VerifyEngineTest {
  @TempDir Path dir;
  private final VerifyEngine engine = new VerifyEngine();
  private Path source;
  private Path backup;

  @BeforeEach
  void backup() {
    try {
      source = createSample(dir.resolve("app.db"), true, 500);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    backup = dir.resolve("app.bak");
    new BackupEngine().backup(BackupRequest.of(source, backup.toString()), ProgressListener.NONE);
  }

  private Verdict verify(VerifyRequest request) {
    List<Verdict> verdicts = engine.verify(request);
    assertEquals(1, verdicts.size());
    return verdicts.get(0);
  }

  @Test
  void aGoodBackupPassesEveryCheck() {
    Verdict v = verify(new VerifyRequest(List.of(backup), null, source,
        List.of("SELECT count(*) > 0 FROM users", "SELECT 'true'"), null));
    assertEquals(Verdict.Status.OK, v.status(), v.problems().toString());
    assertEquals(List.of("sha256", "integrity_check", "against " + source,
        "assert SELECT count(*) > 0 FROM users", "assert SELECT 'true'"), v.checks());
  }

  /** A copy cut short is named as such, not as "malformed", and the source is not suspected. */
  @Test
  void aBackupCutShortIsBadAndSaysTruncated() throws Exception {
    Path cut = dir.resolve("cut.db");
    byte[] bytes = java.nio.file.Files.readAllBytes(backup);
    java.nio.file.Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Verdict v = verify(new VerifyRequest(List.of(cut), null, null, null, null));
    assertEquals(Verdict.Status.BAD, v.status());
    assertEquals(List.of("truncated: " + bytes.length / 2 + " of the " + bytes.length
        + " bytes its header names (a copy or a stream cut short?)"), v.problems());
    assertTrue(v.hint().isEmpty(), "a file cut short says nothing of its source: " + v.hint());
  }

  /** A sidecar overwritten with binary bytes is a damaged checksum file: a bad backup (exit 3), said in words. */
  @Test
  void aSidecarThatIsNotTextMakesTheBackupBadInWords() throws Exception {
    byte[] junk = new byte[300];
    new Random(7).nextBytes(junk);
    junk[0] = (byte) 0xC3; // a UTF-8 lead byte followed by one that cannot continue it
    junk[1] = (byte) 0x28;
    Files.write(Sidecar.of(backup), junk);
    Verdict v = verify(VerifyRequest.of(List.of(backup)));
    assertEquals(Verdict.Status.BAD, v.status(), v.problems().toString());
    assertEquals(List.of("checksum file app.bak.sha256 is not text (damaged, or not a checksum file)"), v.problems());
  }

  @Test
  void quickCheckRunsQuickCheck() {
    Verdict v = verify(new VerifyRequest(List.of(backup), CheckLevel.QUICK, null, null, null));
    assertEquals(List.of("sha256", "quick_check"), v.checks());
    assertTrue(v.ok());
  }

  @Test
  void aFlippedByteAnywhereIsCaughtEveryTime() throws Exception {
    byte[] original = Files.readAllBytes(backup);
    Random random = new Random(42);
    Path damaged = dir.resolve("damaged.db");
    Files.copy(Sidecar.of(backup), Sidecar.of(damaged));
    int trials = 300;
    for (int i = 0; i < trials; i++) {
      byte[] bytes = original.clone();
      int at = random.nextInt(bytes.length);
      bytes[at] ^= (byte) (1 + random.nextInt(255));
      Files.write(damaged, bytes);
      Verdict v = verify(VerifyRequest.of(List.of(damaged)));
      assertEquals(Verdict.Status.BAD, v.status(), "byte " + at + " flipped went unnoticed");
    }
  }

  @Test
  void withoutSidecarACorruptPageIsCaughtByIntegrityCheck() throws Exception {
    Files.delete(Sidecar.of(backup));
    TestDatabases.scribblePage(backup, TestDatabases.scalar(backup, "PRAGMA page_count") - 2);
    Verdict v = verify(VerifyRequest.of(List.of(backup)));
    assertEquals(Verdict.Status.BAD, v.status());
    assertEquals(List.of("integrity_check"), v.checks());
    // Nothing tells whether the page was damaged before or after the copy: the source may be too.
    assertEquals(java.util.Optional.of(dev.sqlbak.check.BackupInspection.SOURCE_TOO_HINT), v.hint());
  }

  @Test
  void emptyTextAndRandomFilesAreBadMissingUnreadableAndAFolderWithoutBackupsSaysSo() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.db"));
    Path text = dir.resolve("text.db");
    Files.writeString(text, "hello\n".repeat(1000));
    Path noise = dir.resolve("noise.db");
    byte[] b = new byte[8192];
    new Random(1).nextBytes(b);
    Files.write(noise, b);
    Path missing = dir.resolve("missing.db");
    Path folder = Files.createDirectory(dir.resolve("folder"));

    List<Verdict> v = engine.verify(VerifyRequest.of(List.of(empty, text, noise, missing, folder)));

    assertEquals(List.of(Verdict.Status.BAD, Verdict.Status.BAD, Verdict.Status.BAD,
        Verdict.Status.UNREADABLE, Verdict.Status.NO_BACKUPS), v.stream().map(Verdict::status).toList());
    assertEquals("empty file (0 bytes), not a database", v.get(0).problems().get(0));
    assertEquals("not a SQLite database", v.get(1).problems().get(0));
    assertEquals("not found", v.get(3).problems().get(0));
    assertTrue(Files.notExists(missing));
  }

  @Test
  void aWalHeaderFileIsVerifiedWithoutLeavingWalOrShmFilesBesideIt() throws Exception {
    Path walFile = createSample(dir.resolve("wal.db"), true, 400);
    Path folder = Files.createDirectory(dir.resolve("backups"));
    Path copy = TestDatabases.plainCopyOfWalFile(walFile, folder.resolve("plain-copy.db"));

    Verdict v = verify(new VerifyRequest(List.of(copy), null, walFile, List.of("SELECT count(*) = 400 FROM users"), null));

    assertEquals(Verdict.Status.OK, v.status(), v.problems().toString());
    assertEquals(List.of("plain-copy.db"), TestDatabases.listing(folder));
  }

  @Test
  void aWalHeaderFileIsReadWithItsWalWhenTheWalHasFrames() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("live"));
    Path live = createSample(folder.resolve("live.db"), true, 400);
    try (Connection c = TestDatabases.open(live); Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_autocheckpoint = 0");
      s.execute("DELETE FROM users WHERE id > 100");
      // A WAL with frames holds the newest rows: they must be read, not the stale file alone.
      assertTrue(Files.size(folder.resolve("live.db-wal")) > 0);
      Verdict v = verify(new VerifyRequest(List.of(live), null, null, List.of("SELECT count(*) = 100 FROM users"), null));
      assertEquals(Verdict.Status.OK, v.status(), v.problems().toString());
    }
  }

  @Test
  void aFileWithAHotJournalIsBadWithTheJournalNamedAndLeftAsItWas() throws Exception {
    Path rollback = createSample(dir.resolve("rollback.db"), false, 500);
    Path crashed = TestDatabases.copyInMidTransaction(rollback, dir.resolve("crashed.db"));
    Path journal = dir.resolve("crashed.db-journal");
    byte[] journalBefore = Files.readAllBytes(journal);
    byte[] fileBefore = Files.readAllBytes(crashed);

    Verdict v = verify(VerifyRequest.of(List.of(crashed)));

    assertEquals(Verdict.Status.BAD, v.status());
    assertEquals(1, v.problems().size(), v.problems().toString());
    assertTrue(v.problems().get(0).startsWith("has a hot journal (" + journal + "): a writer crashed"),
        v.problems().get(0));
    assertTrue(java.util.Arrays.equals(journalBefore, Files.readAllBytes(journal)), "journal changed");
    assertTrue(java.util.Arrays.equals(fileBefore, Files.readAllBytes(crashed)), "file changed");
  }

  @Test
  void againstACopyWithChangedRowsContentOrSchema() throws Exception {
    try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
      s.execute("UPDATE users SET name = 'changed' WHERE id = 7");
    }
    Verdict changedValue = verify(new VerifyRequest(List.of(backup), null, source, null, null));
    assertEquals(List.of("table users content differs from the source"), changedValue.problems());

    try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
      s.execute("DELETE FROM audit WHERE id = 3");
    }
    Verdict changedCount = verify(new VerifyRequest(List.of(backup), null, source, null, null));
    assertTrue(changedCount.problems().contains("table audit has 500 rows, the source 499"),
        changedCount.problems().toString());

    try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE extra(x)");
    }
    Verdict changedSchema = verify(new VerifyRequest(List.of(backup), null, source, null, null));
    assertEquals(Verdict.Status.BAD, changedSchema.status());
    assertTrue(changedSchema.problems().get(0).startsWith("schema differs from " + source),
        changedSchema.problems().toString());
  }

  @Test
  void againstAMissingSourceFailsTheWholeRun() {
    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.verify(new VerifyRequest(List.of(backup), null, dir.resolve("gone.db"), null, null)));
    assertEquals(SqlbakException.Kind.FAILED, e.kind());
  }

  @Test
  void falseEmptyAndFailingAssertionsFailTheFile() {
    Verdict v = verify(new VerifyRequest(List.of(backup), null, null, List.of(
        "SELECT count(*) > 100000 FROM users",
        "SELECT 1 FROM users WHERE id < 0",
        "SELECT * FROM no_such_table"), null));
    assertEquals(Verdict.Status.BAD, v.status());
    assertEquals(3, v.problems().size(), v.problems().toString());
    assertTrue(v.problems().get(0).endsWith("returned 0"), v.problems().toString());
    assertTrue(v.problems().get(1).endsWith("returned no rows"), v.problems().toString());
    assertTrue(v.problems().get(2).contains("no such table"), v.problems().toString());
  }

  @Test
  void anAssertionThatWritesFailsAndChangesNothing() throws Exception {
    String before = TestDatabases.sha256(backup);
    Verdict v = verify(new VerifyRequest(List.of(backup), null, null,
        List.of("DELETE FROM users RETURNING 1", "UPDATE users SET name = 'x' RETURNING 1"), null));
    assertEquals(Verdict.Status.BAD, v.status());
    assertEquals(2, v.problems().size(), v.problems().toString());
    assertEquals(before, TestDatabases.sha256(backup));
    assertEquals(500, TestDatabases.scalar(backup, "SELECT count(*) FROM users"));
  }
}
