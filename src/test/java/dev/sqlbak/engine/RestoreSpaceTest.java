package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createBlobRows;
import static dev.sqlbak.TestDatabases.listing;
import static dev.sqlbak.TestDatabases.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.TestTmpfs;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The free-space check before a restore, on real files and tiny tmpfs mounts: its estimate
 * against what SQLite really writes, and its refusals, which must leave everything as it was.
 */
class RestoreSpaceTest {
  private static final Pattern FIGURES = Pattern.compile("needs about ([0-9.]+ [KM]iB), ([0-9.]+ [KM]iB) free");

  @TempDir Path dir;
  private final RestoreEngine engine = new RestoreEngine();

  /** A TARGET's journal mode and size before a restore, and the backup's size, in 4 KiB pages. */
  enum Shape {
    ROLLBACK_GROWS(false, 2, 400),
    ROLLBACK_SAME_SIZE(false, 400, 400),
    ROLLBACK_SHRINKS(false, 400, 2),
    WAL_GROWS(true, 2, 400);

    final boolean wal;
    final int oldRows;
    final int newRows;

    Shape(boolean wal, int oldRows, int newRows) {
      this.wal = wal;
      this.oldRows = oldRows;
      this.newRows = newRows;
    }
  }

  /**
   * The estimate is close to what SQLite writes, on both sides: with the estimate and the margin
   * free, SQLite's copy (the call restore makes) fits and ends cleanly; with 64 KiB less than the
   * estimate it does not (the copy fails, or a WAL it committed into cannot be checkpointed).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Shape.class)
  void theEstimateIsWhatSqliteReallyNeeds(Shape shape) throws Exception {
    Path backup = createBlobRows(dir.resolve("backup.db"), false, shape.newRows);
    Path pristine = createBlobRows(dir.resolve("pristine.db"), shape.wal, shape.oldRows);
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 64 * 1024)) {
      Path target = fs.dir().resolve("t.db");
      Files.copy(pristine, target);
      long need = estimate(backup, target);
      fs.leaveFree(need + RestoreSpace.MARGIN);
      sqliteCopy(backup, target);
      // Listed before reading: a read-only open of a WAL-mode file creates -wal and -shm files.
      assertEquals(List.of("t.db"), listing(fs.dir()), "no journal or WAL left after a copy that fit");
      assertEquals(Files.size(backup), Files.size(target), "all pages in the file (a WAL one checkpointed)");
      assertEquals(contentDigest(backup), contentDigest(target), "the copy with the estimate free");

      if (need > 2 * 64 * 1024) {
        Files.delete(target);
        fs.leaveFree(64L << 20);
        Files.copy(pristine, target);
        fs.leaveFree(need - 64 * 1024);
        boolean failed;
        try {
          sqliteCopy(backup, target);
          failed = false;
        } catch (SqliteFailure f) {
          assertEquals(SqliteFailure.Reason.DISK_FULL, f.reason(), f.getMessage());
          failed = true;
        }
        Path wal = fs.dir().resolve("t.db-wal");
        assertTrue(failed || shape.wal && Files.exists(wal) && Files.size(wal) > 0,
            "64 KiB below an estimate of " + need + " bytes the copy still ended cleanly: it overstates");
      }
    }
  }

  private static long estimate(Path backup, Path target) throws Exception {
    RestoreRequest request = RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(false);
    try (ReadableBackup opened = ReadableBackup.open(backup, dev.sqlbak.payload.Decryption.NONE)) {
      return RestoreSpace.inPlace(opened, target, request).stream().mapToLong(RestoreSpace.Need::bytes).sum();
    }
  }

  private static void sqliteCopy(Path backup, Path target) throws Exception {
    try (SqliteDatabase source = ReadableBackup.openDatabase(backup)) {
      source.beginSnapshot(List.of("main"));
      source.copyTo("main", target.toString(), 100, Duration.ofSeconds(5), (copied, total) -> { });
    }
  }

  /**
   * The case and its relatives: a 1 MiB tmpfs, a small TARGET, a 1.5 MiB backup. The
   * restore is refused with the figures before anything is written: TARGET's bytes, the folder
   * and the free space are exactly as before.
   */
  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void aRestoreThatCannotFitIsRefusedWithTheFiguresAndWritesNothing(boolean wal) throws Exception {
    Path backup = createBlobRows(dir.resolve("backup.db"), false, 384);
    for (boolean safetyCopy : new boolean[] {true, false}) {
      try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 1024)) {
        Path target = TestDatabases.createSample(fs.dir().resolve("t.db"), wal, 3);
        String bytes = sha256(target);
        List<String> files = listing(fs.dir());
        long free = fs.free();

        SqlbakException e = assertThrows(SqlbakException.class, () -> engine.restore(
            RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(safetyCopy), ProgressListener.NONE));

        assertTrue(e.getMessage().startsWith("not enough free space to restore: " + target + " (needs about "),
            e.getMessage());
        assertTrue(e.getMessage().endsWith("free); nothing was written; free some space or restore elsewhere"),
            e.getMessage());
        assertFigures(e.getMessage(), Files.size(backup), free);
        assertEquals(SqlbakException.Kind.FAILED, e.kind());
        assertEquals(bytes, sha256(target), "TARGET's bytes");
        assertEquals(files, listing(fs.dir()), "no safety copy, journal or temporary file");
        assertEquals(free, fs.free(), "free space");
      }
    }
  }

  /** The figures in the line: the need at least the backup's size, and the free space as the OS says it. */
  private static void assertFigures(String message, long atLeast, long free) {
    Matcher m = FIGURES.matcher(message);
    assertTrue(m.find(), message);
    assertTrue(mib(m.group(1)) >= atLeast / 1048576.0 - 0.05, "the need, " + m.group(1) + ": " + message);
    assertEquals(RestoreSpace.size(free), m.group(2), message);
  }

  private static double mib(String figure) {
    double n = Double.parseDouble(figure.substring(0, figure.indexOf(' ')));
    return figure.endsWith("KiB") ? n / 1024 : n;
  }

  /** A TARGET that does not exist yet needs the backup's size in its folder; nothing is created. */
  @Test
  void aNewTargetThatCannotFitIsRefusedAndNotCreated() throws Exception {
    Path backup = createBlobRows(dir.resolve("backup.db"), false, 384);
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 1024)) {
      Path target = fs.dir().resolve("new.db");
      long free = fs.free();
      SqlbakException e = assertThrows(SqlbakException.class,
          () -> engine.restore(RestoreRequest.of(backup, target), ProgressListener.NONE));
      assertTrue(e.getMessage().startsWith("not enough free space to restore: " + target), e.getMessage());
      assertFigures(e.getMessage(), Files.size(backup), free);
      assertEquals(List.of(), listing(fs.dir()));
      assertEquals(free, fs.free());
    }
  }

  /**
   * Where it fits, the check lets the restore through: on 2 MiB a rollback-journal TARGET takes
   * the 1.5 MiB backup; a WAL-mode one (WAL, then the checkpoint's growth) needs 4 MiB, and gets
   * it; each keeps its journal mode and, with a safety copy, its old content beside it.
   */
  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void aRestoreThatFitsGoesThrough(boolean wal) throws Exception {
    Path backup = createBlobRows(dir.resolve("backup.db"), false, 384);
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), wal ? 4096 : 2048)) {
      Path target = TestDatabases.createSample(fs.dir().resolve("t.db"), wal, 3);
      String old = contentDigest(target);
      deleteEmptyWal(target);
      RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE);
      // Listed before reading: a read-only open of a WAL-mode file creates -wal and -shm files.
      assertEquals(List.of("t.db", r.safetyCopy().getFileName().toString()), listing(fs.dir()));
      assertEquals(wal ? "wal" : "rollback", TestDatabases.headerJournalMode(target));
      assertEquals(contentDigest(backup), contentDigest(target));
      assertEquals(old, contentDigest(r.safetyCopy()));
    }
  }

  /** Removes the empty -wal and -shm a read-only open of a WAL-mode file leaves (nothing else would). */
  private static void deleteEmptyWal(Path db) throws Exception {
    Path wal = db.resolveSibling(db.getFileName() + "-wal");
    if (Files.exists(wal) && Files.size(wal) == 0) {
      Files.delete(wal);
      Files.deleteIfExists(db.resolveSibling(db.getFileName() + "-shm"));
    }
  }

  /**
   * The same WAL-mode restore on 3 MiB: its WAL fits, but the checkpoint that must follow would
   * find the disk full and leave the content in a WAL on a full disk: refused instead.
   */
  @Test
  void aWalTargetNeedsRoomForItsCheckpointToo() throws Exception {
    Path backup = createBlobRows(dir.resolve("backup.db"), false, 384);
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 3072)) {
      Path target = TestDatabases.createSample(fs.dir().resolve("t.db"), true, 3);
      String bytes = sha256(target);
      SqlbakException e = assertThrows(SqlbakException.class, () -> engine.restore(
          RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(false), ProgressListener.NONE));
      assertTrue(e.getMessage().startsWith("not enough free space to restore: "), e.getMessage());
      assertTrue(mib(figure(e.getMessage())) > 3.0, "WAL plus growth is over 3 MiB: " + e.getMessage());
      assertEquals(bytes, sha256(target));
      assertEquals(List.of("t.db"), listing(fs.dir()));
    }
  }

  private static String figure(String message) {
    Matcher m = FIGURES.matcher(message);
    assertTrue(m.find(), message);
    return m.group(1);
  }

  /**
   * A backup whose header says WAL goes through a rollback-journal copy in $TMPDIR before it is
   * restored into a rollback-journal TARGET: a $TMPDIR without room for it is named, with its own
   * hint, while TARGET's roomy disk is not blamed.
   */
  @Test
  void aScratchFolderWithoutRoomIsNamed() throws Exception {
    Path walBackup = createBlobRows(dir.resolve("walsource.db"), true, 384);
    Path backup = TestDatabases.plainCopyOfWalFile(walBackup, dir.resolve("backup.db"));
    Path target = TestDatabases.createSample(dir.resolve("t.db"), false, 3);
    String bytes = sha256(target);
    String systemTmp = System.getProperty("java.io.tmpdir");
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("tmp"), 1024)) {
      System.setProperty("java.io.tmpdir", fs.dir().toString());
      SqlbakException e = assertThrows(SqlbakException.class, () -> engine.restore(
          RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE));
      assertTrue(e.getMessage().startsWith("not enough free space for the scratch copy of the backup: "
          + fs.dir().resolve("sqlbak-" + System.getProperty("user.name")) + " (needs about"), e.getMessage());
      assertTrue(e.getMessage().endsWith("set TMPDIR to another folder"), e.getMessage());
      assertEquals(bytes, sha256(target));
      assertEquals(List.of("backup.db", "t.db", "tmp", "walsource.db"), listing(dir));
    } finally {
      System.setProperty("java.io.tmpdir", systemTmp);
    }
  }

  /**
   * A compressed backup is decompressed into $TMPDIR before its size is known: a $TMPDIR that
   * fills up meanwhile is named as such (not "cannot read backup"), and the partial copy is gone.
   */
  @Test
  void aCompressedBackupThatDoesNotFitInTheScratchFolderIsNamed() throws Exception {
    Path plain = createBlobRows(dir.resolve("plain.db"), false, 384);
    Path backup = dir.resolve("backup.db.gz");
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(backup))) {
      Files.copy(plain, out);
    }
    Path target = dir.resolve("new.db");
    String systemTmp = System.getProperty("java.io.tmpdir");
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("tmp"), 1024)) {
      System.setProperty("java.io.tmpdir", fs.dir().toString());
      SqlbakException e = assertThrows(SqlbakException.class,
          () -> engine.restore(RestoreRequest.of(backup, target), ProgressListener.NONE));
      Path scratch = fs.dir().resolve("sqlbak-" + System.getProperty("user.name"));
      assertEquals("not enough free space for the scratch copy of the backup: " + scratch
          + " (the decrypted or decompressed backup needs more than the " + RestoreSpace.size(fs.free())
          + " free); the target was"
          + " not touched; free some space there or set TMPDIR to another folder", e.getMessage());
      assertEquals(List.of(), listing(scratch), "the partial copy is removed");
      assertTrue(Files.notExists(target));
    } finally {
      System.setProperty("java.io.tmpdir", systemTmp);
    }
  }

  /** Figures that would round to the same MiB are given in KiB, so the line never reads "needs 3.0, 3.0 free". */
  @Test
  void figuresThatRoundAlikeAreGivenInKib() {
    assertEquals("(needs about 3.1 MiB, 2.0 MiB free)", RestoreSpace.figures(3_223_552, 2_076_672));
    assertEquals("(needs about 3148 KiB, 3125 KiB free)", RestoreSpace.figures(3_223_552, 3_200_000));
    assertEquals("(needs about 600 KiB, 400 KiB free)", RestoreSpace.figures(614_400, 409_600));
  }

  /**
   * Where the need cannot be known, nothing is refused: a TARGET whose header is not SQLite's
   * gives no estimate, even on a disk far too small (the restore then fails on its own terms).
   */
  @Test
  void aTargetWithAnUnreadableHeaderIsNotRefusedForSpace() throws Exception {
    Path backup = createBlobRows(dir.resolve("backup.db"), false, 384);
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 1024)) {
      Path target = Files.write(fs.dir().resolve("t.db"), "not a database, but long enough for a header".repeat(10)
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      Path good = TestDatabases.createSample(fs.dir().resolve("good.db"), false, 3);
      assertEquals(List.of(), needs(backup, target), "no estimate for a damaged TARGET");
      assertTrue(needs(backup, good).stream().mapToLong(RestoreSpace.Need::bytes).sum() > Files.size(backup),
          "a sound TARGET of the same disk gets one");
    }
  }

  private static List<RestoreSpace.Need> needs(Path backup, Path target) throws Exception {
    try (ReadableBackup opened = ReadableBackup.open(backup, dev.sqlbak.payload.Decryption.NONE)) {
      return RestoreSpace.inPlace(opened, target, RestoreRequest.of(backup, target).withForce(true));
    }
  }
}
