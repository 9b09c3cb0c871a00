package dev.sqlbak.engine;

import static dev.sqlbak.BackupFolders.snapshot;
import static dev.sqlbak.BackupFolders.writeGood;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.retention.RetentionPolicy;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.DataMode;
import java.nio.file.Files;
import dev.sqlbak.storage.Location;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prune on hand-built folders of real files: what it must never touch, the safety rule, dry runs, races. */
class PruneEngineTest {
  @TempDir Path dir;
  private final PruneEngine engine = new PruneEngine();

  /** {@code <stem>-2026-11-<day>T03:00:00Z.db}, written as a good backup with a sidecar. */
  private Path backup(String stem, int day) throws Exception {
    return writeGood(dir, name(stem, day), true);
  }

  private static String name(String stem, int day) {
    return BackupFolders.name(stem, LocalDateTime.of(2026, 11, day, 3, 0), ".db");
  }

  private static List<String> names(List<Location> files) {
    return files.stream().map(Location::fileName).toList();
  }

  /** A real backup with a page in the middle overwritten: the header is fine, quick_check is not. */
  private Path corruptBackup(String name) throws Exception {
    Path source = TestDatabases.createSample(Files.createTempDirectory(dir, "src").resolve("s.db"), false, 400);
    long pageSize = TestDatabases.scalar(source, "PRAGMA page_size");
    long pages = TestDatabases.scalar(source, "PRAGMA page_count");
    byte[] bytes = Files.readAllBytes(source);
    for (int i = 0; i < pageSize; i++) {
      bytes[(int) (pageSize * (pages / 2)) + i] = (byte) (i * 7 + 5);
    }
    Path file = Files.write(dir.resolve(name), bytes);
    assertEquals(Verdict.Status.BAD, BackupInspection.of(file, CheckLevel.QUICK).status(), "not corrupt enough");
    return file;
  }

  @Test
  void pruneRemovesDeadRunsTemporaryFilesButNeverALiveRunsNorInADryRun() throws Exception {
    writeGood(dir, BackupFolders.name("app", LocalDateTime.of(2026, 11, 1, 3, 0), ".db"), true);
    try (AtomicDestination live = AtomicDestination.create(dir, DataMode.OWNER_ONLY)) {
      // A run killed with -9: its lock file is there, but nobody holds the lock.
      Path deadCopy = Files.write(dir.resolve(".sqlbak-00112233aabbccdd.db"), new byte[4096]);
      Path deadLock = Files.write(dir.resolve(".sqlbak-00112233aabbccdd.lock"), new byte[0]);
      engine.prune(new PruneRequest(dir, 5, null, null, null, null, true));
      assertTrue(Files.exists(deadCopy) && Files.exists(deadLock), "a dry run removed a dead run's files");

      engine.prune(new PruneRequest(dir, 5, null, null, null, null, false));
      assertFalse(Files.exists(deadCopy) || Files.exists(deadLock), "a dead run's files stayed");
      assertTrue(Files.exists(live.file()), "a live run's copy was removed");
    }
  }

  @Test
  void foreignFilesAndOtherStemsAreNeverTouched() throws Exception {
    for (int day = 1; day <= 6; day++) {
      backup("app", day);
    }
    backup("billing", 2);
    backup("billing", 3);
    backup("app-eu", 1);
    Files.writeString(dir.resolve("notes.txt"), "restore drill on Fridays\n");
    Files.writeString(dir.resolve("app-20261124T0300Z.db"), "x");
    Files.writeString(dir.resolve("app-20261124T030000Z.db.bak"), "x");
    Files.writeString(dir.resolve("app-20261101T030000Z.sqlite"), "x");
    Files.writeString(dir.resolve("app-20260230T030000Z.db"), "x");
    Files.writeString(dir.resolve(".sqlbak-0123456789abcdef.db"), "x");
    Files.writeString(dir.resolve(".sqlbak-0123456789abcdef.lock"), "");
    Files.writeString(dir.resolve(".sqlbak-20261101T030000Z.db"), "x");
    Files.writeString(dir.resolve("app-20261101T000000Z.db-journal"), "x");
    // A sidecar of another stem that has no backups at all: nothing prune decides for.
    Files.writeString(dir.resolve("gone-20200101T000000Z.db.sha256"), "a sidecar whose stem has no backups\n");
    // Old names, but a directory and a symlink: not files prune may delete.
    Path folder = Files.createDirectory(dir.resolve("app-20200102T000000Z.db"));
    Files.writeString(folder.resolve("inside.txt"), "x");
    Files.createDirectory(dir.resolve("app-20200103T000000Z.db.gz"));
    Path elsewhere = writeGood(Files.createTempDirectory(dir, "elsewhere"), "target.db", false);
    Files.createSymbolicLink(dir.resolve("app-20200104T000000Z.db"), elsewhere);
    Map<String, String> before = snapshot(dir);

    PruneResult result = engine.prune(new PruneRequest(dir, 2, null, null, null, null, false));

    Map<String, String> expected = new TreeMap<>(before);
    for (int day = 1; day <= 4; day++) {
      expected.remove(name("app", day));
      expected.remove(name("app", day) + ".sha256");
    }
    // A dead run's temporary files (its lock file free) go too; a look-alike name that is not
    // one of sqlbak's temporary names stays.
    expected.remove(".sqlbak-0123456789abcdef.db");
    expected.remove(".sqlbak-0123456789abcdef.lock");
    assertEquals(expected, snapshot(dir));
    assertTrue(Files.exists(elsewhere));
    // Each stem by its own rules: app's newer backups do not push billing's or app-eu's out.
    assertEquals(List.of("app", "app-eu", "billing"), result.stems().stream().map(StemPrune::stem).toList());
    assertEquals(List.of(name("app", 5), name("app", 6)), names(result.stems().get(0).kept()));
    assertEquals(List.of(name("app-eu", 1)), names(result.stems().get(1).kept()));
    assertEquals(List.of(name("billing", 2), name("billing", 3)), names(result.stems().get(2).kept()));
    assertEquals(List.of(), result.stems().get(2).removed());
  }

  /**
   * What a prune killed between removing a backup and removing its sidecar leaves: the sidecar
   * alone. The next prune removes it (oldest first, with the rest), whatever the rules keep, and
   * never a sidecar whose backup is there, nor one of another stem under --stem.
   */
  @Test
  void aSidecarLeftWithoutItsBackupIsRemovedByTheNextPrune() throws Exception {
    for (int day = 1; day <= 4; day++) {
      backup("app", day);
      backup("my-app", day);
    }
    Files.delete(dir.resolve(name("app", 2)));
    Files.delete(dir.resolve(name("my-app", 1)));
    // A kept backup's orphan too: the rules keep backups, and this one is gone.
    Files.delete(dir.resolve(name("app", 4)));
    List<Location> heard = new ArrayList<>();

    StemPrune dry = engine.prune(new PruneRequest(dir, 3, null, null, null, "app", true)).stems().get(0);
    StemPrune app = engine.prune(new PruneRequest(dir, 3, null, null, null, "app", false), heard::add)
        .stems().get(0);

    assertEquals(List.of(name("app", 2) + ".sha256", name("app", 4) + ".sha256"), names(app.removed()));
    assertEquals(app.removed(), heard);
    assertEquals(dry.removed(), app.removed(), "a dry run names the orphans too");
    assertEquals(List.of(name("app", 1), name("app", 3)), names(app.kept()));
    assertEquals(List.of(name("app", 1), name("app", 1) + ".sha256", name("app", 3), name("app", 3) + ".sha256"),
        listing(dir).stream().filter(n -> n.startsWith("app-")).toList());
    assertTrue(Files.exists(dir.resolve(name("my-app", 1) + ".sha256")), "--stem app leaves my-app alone");

    engine.prune(new PruneRequest(dir, 3, null, null, null, null, false));
    assertFalse(Files.exists(dir.resolve(name("my-app", 1) + ".sha256")));
    assertEquals(6, listing(dir).stream().filter(n -> n.startsWith("my-app-")).count(), listing(dir).toString());
  }

  @Test
  void stemLimitsPruningToThatStem() throws Exception {
    for (int day = 1; day <= 4; day++) {
      backup("app", day);
      backup("my-app", day);
    }
    Map<String, String> myApp = snapshotOf("my-app-");

    PruneResult result = engine.prune(new PruneRequest(dir, 1, null, null, null, "app", false));

    assertEquals(List.of("app"), result.stems().stream().map(StemPrune::stem).toList());
    assertEquals(myApp, snapshotOf("my-app-"));
    assertEquals(List.of(name("app", 4), name("app", 4) + ".sha256"), listing(dir).stream()
        .filter(n -> n.startsWith("app-")).toList());
  }

  private Map<String, String> snapshotOf(String prefix) throws Exception {
    Map<String, String> all = snapshot(dir);
    all.keySet().removeIf(n -> !n.startsWith(prefix));
    return all;
  }

  @Test
  void theNewestBackupThatPassesAQuickCheckIsNeverRemoved() throws Exception {
    for (int day = 1; day <= 4; day++) {
      backup("app", day);
    }
    corruptBackup(name("app", 5));
    Files.createFile(dir.resolve(name("app", 6))); // a 0-byte file is not a database

    StemPrune app = engine.prune(new PruneRequest(dir, 1, null, null, null, null, false)).stems().get(0);

    assertEquals(List.of(name("app", 4), name("app", 4) + ".sha256", name("app", 6)), listing(dir).stream()
        .filter(n -> n.startsWith("app-")).toList());
    assertEquals(List.of(name("app", 4), name("app", 6)), names(app.kept()));
    assertEquals(Location.of(dir.resolve(name("app", 4))), app.newestGood());
    assertEquals(Location.of(dir.resolve(name("app", 6))), app.newest());
    assertEquals(List.of(name("app", 1), name("app", 1) + ".sha256", name("app", 2), name("app", 2) + ".sha256",
        name("app", 3), name("app", 3) + ".sha256", name("app", 5)), names(app.removed()));
  }

  @Test
  void keepLastZeroKeepsOnlyTheNewestGoodBackup() throws Exception {
    backup("app", 1);
    backup("app", 2);
    Files.write(dir.resolve(name("app", 3)), TestDatabases.sha256(dir.resolve(name("app", 1))).getBytes());
    // A good database whose sidecar disagrees with it fails too: it is not the backup that was written.
    backup("app", 4);
    Files.writeString(dir.resolve(name("app", 4) + ".sha256"), "0".repeat(64) + "  " + name("app", 4) + "\n");

    engine.prune(new PruneRequest(dir, 0, null, null, null, null, false));

    assertEquals(List.of(name("app", 2), name("app", 2) + ".sha256"), listing(dir));
  }

  @Test
  void whenNoBackupPassesTheRulesAloneDecide() throws Exception {
    for (int day = 1; day <= 3; day++) {
      Files.createFile(dir.resolve(name("app", day)));
    }
    StemPrune app = engine.prune(new PruneRequest(dir, 1, null, null, null, null, false)).stems().get(0);
    assertNull(app.newestGood());
    assertEquals(List.of(name("app", 3)), listing(dir));
  }

  @Test
  void aDryRunRemovesNothingAndNamesExactlyWhatTheRunThenRemoves() throws Exception {
    for (int day = 1; day <= 5; day++) {
      backup("app", day);
    }
    Files.delete(dir.resolve(name("app", 2) + ".sha256"));
    writeGood(dir, name("app", 3) + ".gz", false);
    Map<String, String> before = snapshot(dir);
    PruneRequest request = new PruneRequest(dir, 2, null, null, null, null, true);
    List<Location> heard = new ArrayList<>();

    PruneResult dry = engine.prune(request, heard::add);

    assertEquals(before, snapshot(dir));
    assertTrue(dry.dryRun());
    List<String> wouldRemove = List.of(name("app", 1), name("app", 1) + ".sha256", name("app", 2),
        name("app", 3), name("app", 3) + ".sha256", name("app", 3) + ".gz");
    assertEquals(wouldRemove, names(dry.stems().get(0).removed()));
    assertEquals(dry.stems().get(0).removed(), heard);

    PruneResult real = engine.prune(request.withDryRun(false));

    assertFalse(real.dryRun());
    assertEquals(dry.stems(), real.stems());
    for (String n : wouldRemove) {
      before.remove(n);
    }
    assertEquals(before, snapshot(dir));
  }

  @Test
  void aFileThatVanishesMeanwhileIsNotAnError() throws Exception {
    for (int day = 1; day <= 4; day++) {
      backup("app", day);
    }
    List<Location> heard = new ArrayList<>();
    // Another prune removes days 2 and 3 while this one is busy with day 1.
    StemPrune app = engine.pruneStem(dir, "app", RetentionPolicy.lastOnly(1), false, file -> {
      heard.add(file);
      try {
        Files.deleteIfExists(dir.resolve(name("app", 2)));
        Files.deleteIfExists(dir.resolve(name("app", 3)));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    // Day 2's and 3's sidecars were still there, so they are this run's to remove.
    assertEquals(List.of(name("app", 1), name("app", 1) + ".sha256", name("app", 2) + ".sha256",
        name("app", 3) + ".sha256"), names(app.removed()));
    assertEquals(app.removed(), heard);
    assertEquals(List.of(name("app", 4), name("app", 4) + ".sha256"), listing(dir));
  }

  @Test
  void pruneStemPrunesOneStemOnly() throws Exception {
    for (int day = 1; day <= 3; day++) {
      backup("app", day);
      backup("billing", day);
    }
    StemPrune app = engine.pruneStem(dir, "app", RetentionPolicy.lastOnly(2), false, file -> {});
    assertEquals("app", app.stem());
    assertEquals(List.of(name("app", 2), name("app", 3)), names(app.kept()));
    assertEquals(3, listing(dir).stream().filter(n -> n.startsWith("billing-") && n.endsWith(".db")).count());

    StemPrune none = engine.pruneStem(dir, "nothing", RetentionPolicy.lastOnly(2), false, file -> {});
    assertEquals(new StemPrune("nothing", List.of(), List.of(), null, null), none);
  }

  @Test
  void aMissingFolderOrAFileIsAFailureAndABadStemAUsageError() throws Exception {
    SqlbakException missing = assertThrows(SqlbakException.class,
        () -> engine.prune(new PruneRequest(dir.resolve("nope"), 1, null, null, null, null, false)));
    assertEquals(SqlbakException.Kind.FAILED, missing.kind());
    assertEquals("directory not found: " + dir.resolve("nope"), missing.getMessage());
    assertFalse(Files.exists(dir.resolve("nope")));

    Path file = Files.writeString(dir.resolve("file"), "x");
    SqlbakException notDir = assertThrows(SqlbakException.class,
        () -> engine.prune(new PruneRequest(file, 1, null, null, null, null, false)));
    assertEquals("not a directory: " + file + "; name the folder that holds the backups", notDir.getMessage());

    for (String stem : new String[] {"", "a/b"}) {
      SqlbakException bad = assertThrows(SqlbakException.class,
          () -> new PruneRequest(dir, 1, null, null, null, stem, false));
      assertEquals(SqlbakException.Kind.USAGE, bad.kind());
    }
  }

  @Test
  void aBackupThatCannotBeRemovedIsAFailureNamingIt() throws Exception {
    backup("app", 1);
    backup("app", 2);
    // Root ignores permission bits, so the folder is made read-only the way root cannot ignore:
    // a read-only bind mount of it.
    Assumptions.assumeTrue(dev.sqlbak.TestCommands.succeeds("mount", "--bind", dir.toString(), dir.toString())
        && dev.sqlbak.TestCommands.succeeds("mount", "-o", "remount,bind,ro", dir.toString()),
        "needs mount (root) to make a read-only folder; not available here");
    try {
      SqlbakException e = assertThrows(SqlbakException.class,
          () -> engine.prune(new PruneRequest(dir, 1, null, null, null, null, false)));
      assertEquals(SqlbakException.Kind.FAILED, e.kind());
      assertTrue(e.getMessage().startsWith("cannot remove backup: " + dir.resolve(name("app", 1))), e.getMessage());
    } finally {
      dev.sqlbak.TestCommands.succeeds("umount", dir.toString());
    }
    assertEquals(4, listing(dir).size());
  }

}
