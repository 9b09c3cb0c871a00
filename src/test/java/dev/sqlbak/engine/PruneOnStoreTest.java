package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.retention.RetentionPolicy;
import dev.sqlbak.storage.BackupStore.Publish;
import dev.sqlbak.storage.BackupStore.StoredFile;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.DataMode;
import dev.sqlbak.storage.LocalFolderStore;
import dev.sqlbak.storage.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Prune on a {@link BackupStore}: the same backups, put into a folder or into memory through the
 * store alone, are pruned to the same names by the same rules, so prune depends on the seam, not on
 * a folder. The scenario needs every part of it: the listing, the sidecar brought beside a local
 * copy for the check, orphaned sidecars, deletes.
 */
class PruneOnStoreTest {
  @TempDir Path dir;
  @TempDir Path scratch;
  @TempDir Path work;

  private BackupStore store(String kind) {
    return kind.equals("folder") ? new LocalFolderStore(dir) : new MemoryStore(scratch);
  }

  private static String name(String stem, int month, int day) {
    return BackupFolders.name(stem, LocalDateTime.of(2026, month, day, 3, 0), ".db");
  }

  private static void put(BackupStore store, String name, byte[] bytes) throws Exception {
    try (BackupStore.Staging staging = store.stage(DataMode.OWNER_ONLY)) {
      Files.write(staging.file(), bytes);
      store.publish(staging, staging.file(), name, Publish.CREATE_NEW);
    }
  }

  /** A good backup and its correct sidecar, as a backup run leaves them. */
  private void putGood(BackupStore store, String name) throws Exception {
    Path file = Files.write(work.resolve(name), BackupFolders.tinyDatabase());
    put(store, name, Files.readAllBytes(file));
    put(store, name + ".sha256", (TestDatabases.sha256(file) + "  " + name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** A real database with a middle page scribbled over: its header is fine, quick_check is not. */
  private byte[] corruptDatabase() throws Exception {
    Path file = TestDatabases.createSample(work.resolve("corrupt.db"), false, 400);
    TestDatabases.scribblePage(file, TestDatabases.middlePage(file));
    assertEquals(Verdict.Status.BAD, BackupInspection.of(file, CheckLevel.QUICK).status(), "not corrupt enough");
    return Files.readAllBytes(file);
  }

  private static List<String> names(BackupStore store) throws Exception {
    return store.list().stream().map(StoredFile::name).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"folder", "memory"})
  void aStoreIsPrunedByTheSameRulesAsAFolder(String kind) throws Exception {
    BackupStore store = store(kind);
    for (int day = 1; day <= 4; day++) {
      putGood(store, name("app", 11, day));
    }
    // Day 4 is a good database whose sidecar disagrees with it: it fails, which only a check that
    // finds the sidecar beside the (local copy of the) file can tell.
    store.delete(name("app", 11, 4) + ".sha256");
    put(store, name("app", 11, 4) + ".sha256", ("0".repeat(64) + "  x\n").getBytes(StandardCharsets.UTF_8));
    put(store, name("app", 11, 5), corruptDatabase());
    put(store, name("app", 11, 6), new byte[0]); // a 0-byte file is not a database
    put(store, name("app", 10, 30) + ".sha256", "a sidecar left by a killed prune\n".getBytes(StandardCharsets.UTF_8));
    putGood(store, name("billing", 11, 1));
    putGood(store, name("billing", 11, 2));
    put(store, "notes.txt", "restore drill on Fridays\n".getBytes(StandardCharsets.UTF_8));
    List<String> before = names(store);

    List<String> heard = new ArrayList<>();
    List<StorePrune> dry = new PruneEngine().dryRun(store, "app", RetentionPolicy.lastOnly(1), heard::add);
    assertEquals(before, names(store), "a dry run removes nothing");

    List<StorePrune> done = new PruneEngine().prune(store, "app", RetentionPolicy.lastOnly(1), heard::add);

    List<String> removed = List.of(name("app", 10, 30) + ".sha256", name("app", 11, 1), name("app", 11, 1) + ".sha256",
        name("app", 11, 2), name("app", 11, 2) + ".sha256", name("app", 11, 4), name("app", 11, 4) + ".sha256",
        name("app", 11, 5));
    StorePrune expected = new StorePrune("app", List.of(name("app", 11, 3), name("app", 11, 6)), removed,
        name("app", 11, 6), name("app", 11, 3));
    assertEquals(List.of(expected), dry);
    assertEquals(List.of(expected), done);
    List<String> twice = new ArrayList<>(removed);
    twice.addAll(removed);
    assertEquals(twice, heard);
    List<String> after = new ArrayList<>(before);
    after.removeAll(removed);
    assertEquals(after, names(store));
    try (var left = Files.list(scratch)) {
      assertEquals(List.of(), left.toList(), "local copies must be removed");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"folder", "memory"})
  void everyStemIsPrunedOnItsOwn(String kind) throws Exception {
    BackupStore store = store(kind);
    for (int day = 1; day <= 3; day++) {
      putGood(store, name("app", 11, day));
      putGood(store, name("app-eu", 11, day));
    }
    List<StorePrune> done = new PruneEngine().prune(store, null, RetentionPolicy.lastOnly(2), n -> {});
    assertEquals(List.of("app", "app-eu"), done.stream().map(StorePrune::stem).toList());
    assertEquals(List.of(name("app", 11, 2), name("app", 11, 2) + ".sha256", name("app", 11, 3),
        name("app", 11, 3) + ".sha256", name("app-eu", 11, 2), name("app-eu", 11, 2) + ".sha256",
        name("app-eu", 11, 3), name("app-eu", 11, 3) + ".sha256"), names(store));
  }

  /**
   * Found by a hostile user: a scratch folder too small for the downloads prune checks made every
   * backup of an S3 prefix look bad, and --keep-last 0 then removed them all. A check that cannot
   * run is not a failed check: prune stops, and removes nothing of that series.
   */
  @Test
  void aNewestBackupThatCannotBeReadForItsCheckStopsPruneBeforeAnyRemoval() throws Exception {
    try (dev.sqlbak.TestTmpfs tiny = dev.sqlbak.TestTmpfs.mount(work.resolve("tiny"), 8192)) {
      MemoryStore store = new MemoryStore(tiny.dir());
      byte[] big = Files.readAllBytes(TestDatabases.createSample(work.resolve("big.db"), false, 3000));
      for (int day = 1; day <= 3; day++) {
        put(store, name("app", 11, day), big);
      }
      List<String> before = names(store);
      tiny.leaveFree(big.length / 2); // the store's scratch folder now has no room for a backup
      SqlbakException e = org.junit.jupiter.api.Assertions.assertThrows(SqlbakException.class,
          () -> new PruneEngine().prune(store, "app", RetentionPolicy.lastOnly(0), name -> {}));
      assertTrue(e.getMessage().startsWith("scratch folder is full: "), e.getMessage());
      assertEquals(before, names(store), "nothing removed");
    }
  }
}
