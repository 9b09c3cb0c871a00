package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.TestTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18's sweep of restores onto a nearly full disk: tmpfs mounts of 1 to 4 MiB, each holding a
 * small TARGET in rollback-journal or WAL mode, restored from a 1.5 MiB and a 2.5 MiB backup with
 * and without a safety copy. Every run either succeeds (TARGET holds the backup, checked, in its
 * own journal mode, and only the safety copy was added) or fails with exit 1 and one line, leaving
 * TARGET's old content with no hot journal beside it, the folder as it was, every byte of free
 * space back and no scratch file. Where the room is plainly enough it must succeed; where the
 * backup alone cannot fit it must fail.
 */
class RestoreSpaceIT {
  @TempDir static Path dir;
  /** Small steps, so that the copy can be stopped between them, well before its commit. */
  static final int PAGES_PER_STEP = 4;
  static final List<Integer> BACKUP_ROWS = List.of(384, 640); // 4 KiB a row: about 1.5 and 2.5 MiB

  @BeforeAll
  static void backups() throws Exception {
    for (int rows : BACKUP_ROWS) {
      TestDatabases.createBlobRows(dir.resolve("backup-" + rows + ".db"), false, rows);
    }
  }

  /** One run: disk size, TARGET's journal mode, safety copy or not, which backup. */
  record Case(int mib, boolean wal, boolean safetyCopy, int backupRows) {
    @Override
    public String toString() {
      return mib + " MiB, " + (wal ? "WAL" : "rollback") + " TARGET, " + (safetyCopy ? "safety copy" : "no safety copy")
          + ", " + String.format(java.util.Locale.ROOT, "%.1f", backupRows * 4096 / 1048576.0) + " MiB backup";
    }

    String name() {
      return mib + "-" + (wal ? "wal" : "rb") + "-" + (safetyCopy ? "s" : "n") + "-" + backupRows;
    }
  }

  static Stream<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (int rows : BACKUP_ROWS) {
      for (int mib = 1; mib <= 4; mib++) {
        for (boolean wal : new boolean[] {false, true}) {
          cases.add(new Case(mib, wal, false, rows));
          cases.add(new Case(mib, wal, true, rows));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aRestoreOntoASmallDiskSucceedsOrLeavesEverythingAsItWas(Case c) throws Exception {
    Path backup = dir.resolve("backup-" + c.backupRows() + ".db");
    // TARGET is made off the tmpfs and copied on: its old content is read from the twin, since a
    // read of a WAL-mode file would leave -wal and -shm files on the disk under test.
    Path twin = TestDatabases.createSample(dir.resolve("twin-" + c.name() + ".db"), c.wal(), 3);
    Path tmp = Files.createDirectories(dir.resolve("tmp-" + c.name()));
    try (TestTmpfs disk = TestTmpfs.mount(dir.resolve("disk-" + c.name()), c.mib() * 1024L)) {
      Path target = Files.copy(twin, disk.dir().resolve("t.db"));
      List<String> before = TestDatabases.listing(disk.dir());
      long freeBefore = disk.free();
      long usedBefore = allocated(disk.dir());

      List<String> args = new ArrayList<>(List.of("restore", "--progress", "none", "-f"));
      if (!c.safetyCopy()) {
        args.add("--no-safety-copy");
      }
      args.addAll(List.of(backup.toString(), target.toString()));
      Sqlbak.Result r = Sqlbak.runWithEnvironment(dir, Map.of("TMPDIR", tmp.toString()), args.toArray(String[]::new));

      Path journal = disk.dir().resolve("t.db-journal");
      long journalBytes = Files.exists(journal) ? Files.size(journal) : -1;
      String outcome = c + ": exit " + r.exitCode() + ", t.db " + Files.size(target) + " bytes, journal "
          + (journalBytes < 0 ? "absent" : journalBytes + " bytes") + ", files " + TestDatabases.listing(disk.dir())
          + ", free " + freeBefore + " -> " + disk.free() + ", stderr: " + r.stderr().trim();
      System.out.println("[RestoreSpaceIT] " + outcome);

      assertTrue(journalBytes <= 0, "a hot journal was left beside TARGET; " + outcome);
      assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left; " + outcome);
      if (r.exitCode() == 0) {
        assertRestored(c, r, disk, before, freeBefore, usedBefore, backup, twin, outcome);
      } else {
        assertLeftAsItWas(r, disk, target, before, freeBefore, twin, outcome);
      }
      double backupMib = Files.size(backup) / 1048576.0;
      if (c.mib() >= (c.wal() ? 2 : 1) * backupMib + 0.5) {
        assertEquals(0, r.exitCode(), "there was plenty of room; " + outcome);
      }
      if (c.mib() < backupMib) {
        assertEquals(1, r.exitCode(), "the backup alone does not fit; " + outcome);
      }
    } finally {
      Files.deleteIfExists(twin);
    }
  }

  /**
   * What no check beforehand can foresee: the disk fills up (another process writes) while the copy
   * runs. The restore must fail as cleanly as one refused beforehand: TARGET's old content, no hot
   * journal, every byte back once the other process's file is gone, and a line that tells the truth.
   */
  @ParameterizedTest(name = "wal={0}, safety copy={1}")
  @org.junit.jupiter.params.provider.CsvSource({"false,false", "false,true", "true,false", "true,true"})
  void aDiskThatFillsUpDuringTheCopyLeavesEverythingAsItWas(boolean wal, boolean safetyCopy) throws Exception {
    // Room for every case (WAL and checkpoint included); a backup larger than SQLite's page cache
    // (2000 KiB), so that a rollback-journal copy spills pages into TARGET before its commit.
    Case c = new Case(6, wal, safetyCopy, BACKUP_ROWS.get(1));
    Path backup = dir.resolve("backup-" + c.backupRows() + ".db");
    Path twin = TestDatabases.createSample(dir.resolve("twin-fill-" + c.name() + ".db"), wal, 3);
    Path tmp = Files.createDirectories(dir.resolve("tmp-fill-" + c.name()));
    try (TestTmpfs disk = TestTmpfs.mount(dir.resolve("disk-fill-" + c.name()), c.mib() * 1024L)) {
      Path target = Files.copy(twin, disk.dir().resolve("t.db"));
      List<String> before = TestDatabases.listing(disk.dir());
      long freeBefore = disk.free();
      List<String> args = new ArrayList<>(List.of(Sqlbak.launcher().toString(), "restore", "--progress", "plain",
          "--pages", String.valueOf(PAGES_PER_STEP), "-f"));
      if (!safetyCopy) {
        args.add("--no-safety-copy");
      }
      args.addAll(List.of(backup.toString(), target.toString()));
      Sqlbak.Result r;
      Path filler = disk.dir().resolve("filler");
      try (Sqlbak.Running running = Sqlbak.Running.start(args, dir, Map.of("TMPDIR", tmp.toString()))) {
        String mid = running.awaitMidCopyProgress();
        org.junit.jupiter.api.Assumptions.assumeTrue(mid != null,
            "the copy ended before the disk could be filled: " + running.stderrSoFar());
        // Stopped while the disk fills, so that the copy cannot reach its commit meanwhile.
        Sqlbak.signal(running.pid(), "STOP");
        try {
          org.junit.jupiter.api.Assumptions.assumeTrue(lastProgressIsMidCopy(running.stderrSoFar()),
              "the copy had finished before it could be stopped: " + running.stderrSoFar());
          fill(filler);
        } finally {
          Sqlbak.signal(running.pid(), "CONT");
        }
        r = running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      } finally {
        Files.deleteIfExists(filler);
      }
      Path journal = disk.dir().resolve("t.db-journal");
      long journalBytes = Files.exists(journal) ? Files.size(journal) : -1;
      List<String> lines = r.stderrLines().stream().filter(l -> !Sqlbak.PROGRESS.matcher(l).matches()).toList();
      String outcome = "disk filled mid-copy, " + c + ": exit " + r.exitCode() + ", t.db " + Files.size(target)
          + " bytes, journal " + (journalBytes < 0 ? "absent" : journalBytes + " bytes") + ", files "
          + TestDatabases.listing(disk.dir()) + ", read alone: " + contentAlone(target, twin, backup) + ", free "
          + freeBefore + " -> " + disk.free() + ", stderr: " + lines;
      System.out.println("[RestoreSpaceIT] " + outcome);

      assertEquals(1, r.exitCode(), outcome);
      assertTrue(journalBytes <= 0, "a hot journal was left beside TARGET; " + outcome);
      assertEquals(1, lines.size(), "one line besides the progress; " + outcome);
      assertTrue(lines.get(0).startsWith("sqlbak: ") && lines.get(0).contains("full"), outcome);
      assertEquals(before, TestDatabases.listing(disk.dir()), "no safety copy, journal or temporary file; " + outcome);
      assertEquals(freeBefore, disk.free(), "the free space must be back; " + outcome);
      Path alone = Files.copy(target, dir.resolve("alone-" + System.nanoTime() + ".db"));
      assertEquals(TestDatabases.contentDigest(twin), TestDatabases.contentDigest(alone),
          "TARGET must hold its old content; " + outcome);
      assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left; " + outcome);
    }
  }

  /** What TARGET holds read as one file, without its journal (what deleting a "stray" journal leaves). */
  private static String contentAlone(Path target, Path twin, Path backup) {
    try {
      Path alone = Files.copy(target, dir.resolve("alone-" + System.nanoTime() + ".db"));
      String digest = TestDatabases.contentDigest(alone);
      return digest.equals(TestDatabases.contentDigest(twin)) ? "old content"
          : digest.equals(TestDatabases.contentDigest(backup)) ? "new content" : "other content";
    } catch (Exception e) {
      return "unreadable (" + e.getMessage() + ")";
    }
  }

  /**
   * Whether the copy is stopped before its last step, the one that commits: the last progress line
   * printed leaves at least two steps to copy.
   */
  private static boolean lastProgressIsMidCopy(String stderr) {
    String[] lines = stderr.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      java.util.regex.Matcher m = Sqlbak.PROGRESS.matcher(lines[i]);
      if (m.matches()) {
        return Long.parseLong(m.group(1)) <= Long.parseLong(m.group(2)) - 2 * PAGES_PER_STEP;
      }
    }
    return false;
  }

  /** Writes {@code file} until its disk is full, as another process on a busy machine would. */
  private static void fill(Path file) throws Exception {
    byte[] block = new byte[4096];
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (java.io.IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }

  private static void assertRestored(Case c, Sqlbak.Result r, TestTmpfs disk, List<String> before, long freeBefore,
      long usedBefore, Path backup, Path twin, String outcome) throws Exception {
    assertNoStackTrace(r);
    List<String> lines = r.stderrLines();
    assertEquals(1, lines.size(), outcome);
    assertTrue(lines.get(0).startsWith("restored "), outcome);
    List<String> after = TestDatabases.listing(disk.dir());
    List<String> added = new ArrayList<>(after);
    added.removeAll(before);
    // Nothing but the safety copy may be added: no -wal, -shm, -journal or temporary file.
    assertEquals(c.safetyCopy() ? 1 : 0, added.size(), "added " + added + "; " + outcome);
    if (c.safetyCopy()) {
      assertTrue(added.get(0).startsWith("t.db.pre-restore-"), outcome);
    }
    // The space used is exactly that of the files there: nothing hidden or unlinked holds any.
    assertEquals(freeBefore - (allocated(disk.dir()) - usedBefore), disk.free(), "free space; " + outcome);
    Path target = disk.dir().resolve("t.db");
    assertEquals(c.wal() ? "wal" : "rollback", TestDatabases.headerJournalMode(target), outcome);
    Path check = Files.copy(target, dir.resolve("check-" + c.name() + ".db"));
    assertEquals("ok", TestDatabases.integrityCheck(check), outcome);
    assertEquals(TestDatabases.contentDigest(backup), TestDatabases.contentDigest(check), outcome);
    if (c.safetyCopy()) {
      Path saved = Files.copy(disk.dir().resolve(added.get(0)), dir.resolve("saved-" + c.name() + ".db"));
      assertEquals(TestDatabases.contentDigest(twin), TestDatabases.contentDigest(saved), outcome);
    }
  }

  private static void assertLeftAsItWas(Sqlbak.Result r, TestTmpfs disk, Path target, List<String> before,
      long freeBefore, Path twin, String outcome) throws Exception {
    String line = assertCleanFailure(r, 1);
    assertTrue(line.contains("space") || line.contains("full"), "the line must say the disk has no room; " + outcome);
    assertEquals(before, TestDatabases.listing(disk.dir()), "no safety copy, journal or temporary file; " + outcome);
    assertEquals(freeBefore, disk.free(), "the free space must be back; " + outcome);
    // Read as one file, with nothing beside it: what any reader would see from now on.
    Path alone = Files.copy(target, dir.resolve("alone-" + System.nanoTime() + ".db"));
    assertEquals(TestDatabases.contentDigest(twin), TestDatabases.contentDigest(alone),
        "TARGET must hold its old content" + (line.contains("not changed") || line.contains("nothing was written")
            ? ", as the line says" : "") + "; " + outcome);
  }

  /** The bytes the files in {@code folder} take on tmpfs, which allocates whole 4 KiB pages. */
  private static long allocated(Path folder) throws Exception {
    long sum = 0;
    for (String name : TestDatabases.listing(folder)) {
      sum += (Files.size(folder.resolve(name)) + 4095) / 4096 * 4096;
    }
    return sum;
  }
}
