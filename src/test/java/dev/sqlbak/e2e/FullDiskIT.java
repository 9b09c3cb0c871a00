package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A destination that runs out of room at different points of a backup, on a tmpfs whose size (or
 * number of inodes) is set for each case relative to what the folder already holds: during the
 * data copy, during the check (a WAL copy's switch to rollback mode needs a -journal), while
 * compressing, on the name lock of a file DEST and on the hard link that publishes. Then the same
 * with {@code ulimit -f}, and a restore onto a full disk.
 *
 * <p>Every run either fails with exit 1 and one line saying the destination is full, leaving the
 * folder byte for byte as it was (older backups of the same stem included, even with
 * {@code --keep-last 1}), or, where the room sufficed after all, publishes a complete, checked
 * backup beside them. The writing of the sidecar and the rename cannot be made to fail by size
 * alone: the copy's -journal needed as much room and was freed just before. {@code
 * -Dsqlbak.e2e.fullDiskSweep=true} adds a sweep of every 4 KiB step around the thresholds.
 */
class FullDiskIT {
  @TempDir static Path dir;
  static Path full;
  static boolean mounted;
  static Path rollback;
  static Path wal;
  static long sourceKib;

  @BeforeAll
  static void mountTmpfs() throws Exception {
    rollback = TestDatabases.createLarge(dir.resolve("five.db"), false, 3);
    wal = TestDatabases.createLarge(dir.resolve("fivewal.db"), true, 3);
    sourceKib = Files.size(rollback) / 1024;
    full = Files.createDirectory(dir.resolve("full"));
    String out = mount("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", full.toString());
    mounted = out == null;
    Assumptions.assumeTrue(mounted, "cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): " + out);
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mounted) {
      String out = mount("umount", full.toString());
      assertTrue(out == null, "umount " + full + " failed: " + out);
    }
  }

  /** Runs a mount command; returns null on success, else its output. */
  private static String mount(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : out;
  }

  /** Where the room runs out, relative to what the folder holds before the run. */
  enum Limit { KIB, INODES }

  /** One case: the source, the arguments after it, how much room, and whether it must fail (null: either). */
  record Case(String name, boolean walSource, List<String> options, String dest, Limit limit, long extra,
      Boolean fails) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    List<Case> cases = new ArrayList<>(List.of(
        new Case("data copy, directory DEST", false, List.of("--keep-last", "1"), "full", Limit.KIB, half(), true),
        new Case("data copy, file DEST", false, List.of(), "full/out.db", Limit.KIB, half(), true),
        new Case("data copy, WAL source", true, List.of(), "full", Limit.KIB, half(), true),
        new Case("data copy's -journal", false, List.of(), "full", Limit.KIB, sourceKib(), true),
        // A WAL source with no WAL frames is copied byte for byte and needs no switch (and so no
        // -journal): it may fit now; either way the outcome is checked. (No --keep-last here: a
        // success would rightly prune the older backups; retention after a failure is case 1.)
        new Case("check: a WAL copy's switch to rollback mode", true, List.of(), "full",
            Limit.KIB, sourceKib() + 4, null),
        new Case("room for copy, -journal and sidecar", false, List.of(), "full",
            Limit.KIB, sourceKib() + 4, false),
        new Case("compressing to .gz", false, List.of(), "full/out.db.gz", Limit.KIB,
            sourceKib() + sourceKib() / 2, true),
        new Case("compressing to .zst", false, List.of("--compress", "zstd"), "full", Limit.KIB,
            sourceKib() + sourceKib() / 2, true),
        new Case("no inode for the copy", false, List.of(), "full", Limit.INODES, 1, true),
        new Case("no inode for the copy's -journal", false, List.of(), "full", Limit.INODES, 2, true),
        new Case("no inode for a file DEST's name lock", false, List.of(), "full/out.db", Limit.INODES, 3, true),
        // Inodes for the run's lock file, the copy, the series name's lock file and the sidecar.
        new Case("no inode for the hard link: published by rename", false, List.of(), "full",
            Limit.INODES, 4, false)));
    if (Boolean.getBoolean("sqlbak.e2e.fullDiskSweep")) {
      for (long kib = sourceKib() - 16; kib <= sourceKib() + 32; kib += 4) {
        for (boolean walSource : new boolean[] {false, true}) {
          for (String dest : List.of("full", "full/out.db", "full/out.db.gz")) {
            cases.add(new Case("sweep " + kib + " KiB " + (walSource ? "WAL " : "") + dest, walSource, List.of(),
                dest, Limit.KIB, kib, kib < sourceKib() ? Boolean.TRUE : null)); // null: either outcome
          }
        }
      }
    }
    return cases.stream();
  }

  /** The sources' size in KiB (both are the same size; WAL-mode ones are checkpointed). */
  private static long sourceKib() {
    return sourceKib;
  }

  private static long half() {
    return sourceKib() / 2;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void failsSayingTheDestinationIsFullOrPublishesACompleteBackup(Case c) throws Exception {
    Path source = c.walSource() ? wal : rollback;
    String stem = c.walSource() ? "fivewal" : "five";
    Map<String, String> before = olderBackups(stem);
    limit(c.limit(), c.extra());
    long freeBefore = Files.getFileStore(full).getUnallocatedSpace();
    String sourceBytes = TestDatabases.sha256(source);

    List<String> args = new ArrayList<>(List.of("backup", "--progress", "none"));
    args.addAll(c.options());
    args.add(source.getFileName().toString());
    args.add(c.dest());
    Sqlbak.Result r = Sqlbak.run(dir, args.toArray(String[]::new));

    try {
      if (c.fails() != null ? c.fails() : r.exitCode() != 0) {
        String line = assertCleanFailure(r, 1);
        assertTrue(line.startsWith("sqlbak: destination is full: " + full), "the error must say the destination is"
            + " full, and where; " + r.describe());
        assertEquals(before, TestDatabases.snapshot(full),
            "older backups must stay byte-identical and nothing may be added; " + r.describe());
        assertEquals(freeBefore, Files.getFileStore(full).getUnallocatedSpace(), "space used on the tmpfs");
      } else {
        assertEquals(0, r.exitCode(), r.describe());
        Map<String, String> after = TestDatabases.snapshot(full);
        Map<String, String> added = new TreeMap<>(after);
        added.keySet().removeAll(before.keySet());
        after.keySet().retainAll(before.keySet());
        assertEquals(before, after, "older backups must stay byte-identical; " + r.describe());
        assertEquals(2, added.size(), "the new backup and its sidecar: " + added + "; " + r.describe());
        Path backup = full.resolve(added.keySet().stream().filter(n -> !n.endsWith(".sha256")).findFirst().get());
        assertCompleteCopy(backup, source);
        assertSidecar(backup);
      }
      assertEquals(sourceBytes, TestDatabases.sha256(source));
    } finally {
      unlimit();
    }
  }

  /**
   * The same backups with {@code ulimit -f} below the source's size: the JVM ignores SIGXFSZ, so
   * the write fails with EFBIG, and sqlbak names the limit rather than a "disk I/O error".
   */
  @Test
  void aFileSizeLimitBelowTheBackupFailsNamingTheLimit() throws Exception {
    Path out = Files.createDirectories(dir.resolve("limited"));
    for (List<String> args : List.of(List.of("five.db", "limited"), List.of("fivewal.db", "limited/x.db"),
        List.of("--compress", "gzip", "five.db", "limited"))) {
      List<String> command = new ArrayList<>(List.of("backup", "--progress", "none"));
      command.addAll(args);
      Sqlbak.Result r = Sqlbak.runWithFileSizeLimit(dir, sourceKib() / 2, command.toArray(String[]::new));
      String line = assertCleanFailure(r, 1);
      assertTrue(line.contains("file size limit") && line.contains(out.toString())
          && line.contains(String.valueOf(sourceKib() / 2 * 1024)), "the limit and the folder; " + r.describe());
      assertEquals(List.of(), TestDatabases.listing(out), r.describe());
    }
    // Under a limit the backup fits in, it simply succeeds.
    Sqlbak.Result r = Sqlbak.runWithFileSizeLimit(dir, sourceKib() * 2, "backup", "-q", "five.db", "limited/ok.db");
    assertEquals(0, r.exitCode(), r.describe());
    assertCompleteCopy(out.resolve("ok.db"), rollback);
  }

  /**
   * A restore whose TARGET sits on a full disk: the safety copy cannot be made, or it can but the
   * restored content does not fit. Both are now refused by the free-space check before anything is
   * written (the folder's own name holds "full", so the line is matched from its start); TARGET
   * keeps its content either way; a safety copy, if one is left, is complete. A disk that fills up
   * during the copy is RestoreSpaceIT's.
   */
  @ParameterizedTest(name = "room for the safety copy: {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void aRestoreOntoAFullDiskLeavesTargetAsItWas(boolean roomForSafetyCopy) throws Exception {
    Path target = TestDatabases.createSample(full.resolve("target.db"), false, 500);
    String targetDigest = TestDatabases.contentDigest(target);
    String targetBytes = TestDatabases.sha256(target);
    long targetKib = Files.size(target) / 1024;
    limit(Limit.KIB, roomForSafetyCopy ? targetKib + 64 : 4);
    try {
      Sqlbak.Result r = Sqlbak.run(dir, "restore", "--progress", "none", "--force", "five.db", "full/target.db");

      String line = assertCleanFailure(r, 1);
      assertTrue(line.startsWith("sqlbak: not enough free space to restore: " + full.resolve("target.db")),
          "the error must say the disk has no room; " + r.describe());
      assertEquals(targetBytes, TestDatabases.sha256(target), "TARGET must be untouched; " + r.describe());
      assertEquals(targetDigest, TestDatabases.contentDigest(target));
      for (String name : TestDatabases.listing(full)) {
        if (name.startsWith("target.db.pre-restore-")) {
          assertEquals(targetDigest, TestDatabases.contentDigest(full.resolve(name)),
              "a safety copy left behind must be complete; " + r.describe());
        } else {
          assertEquals("target.db", name, "nothing else may be left; " + r.describe());
        }
      }
    } finally {
      unlimit();
      for (String name : TestDatabases.listing(full)) {
        Files.delete(full.resolve(name));
      }
    }
  }

  /**
   * Empties the tmpfs and puts two older backups of {@code stem} (with sidecars) and a foreign file
   * there; returns the snapshot to compare with.
   */
  private static Map<String, String> olderBackups(String stem) throws Exception {
    unlimit();
    for (String name : TestDatabases.listing(full)) {
      Files.delete(full.resolve(name));
    }
    Path tiny = TestDatabases.createSample(dir.resolve("tiny-" + System.nanoTime() + ".db"), false, 20);
    for (String name : List.of(stem + "-20240101T000000Z.db", stem + "-20240201T000000Z.db")) {
      Files.copy(tiny, full.resolve(name));
      Files.writeString(full.resolve(name + ".sha256"), TestDatabases.sha256(tiny) + "  " + name + "\n");
    }
    Files.writeString(full.resolve("notes.txt"), "not a backup\n");
    Files.delete(tiny);
    return TestDatabases.snapshot(full);
  }

  /** Leaves {@code extra} KiB, or inodes, free beyond what the folder holds now. */
  private static void limit(Limit limit, long extra) throws Exception {
    String option;
    if (limit == Limit.KIB) {
      long usedKib = (Files.getFileStore(full).getTotalSpace() - Files.getFileStore(full).getUnallocatedSpace()) / 1024;
      option = "size=" + (usedKib + extra) + "k";
    } else {
      option = "nr_inodes=" + (TestDatabases.listing(full).size() + 1 + extra); // + 1: the root folder
    }
    String out = mount("mount", "-o", "remount," + option, full.toString());
    assertTrue(out == null, "cannot remount " + full + " with " + option + ": " + out);
  }

  private static void unlimit() throws Exception {
    String out = mount("mount", "-o", "remount,size=64m,nr_inodes=10000", full.toString());
    assertTrue(out == null, "cannot remount " + full + ": " + out);
  }
}
