package dev.sqlbak.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.storage.BackupStore.LocalCopy;
import dev.sqlbak.storage.BackupStore.Publish;
import dev.sqlbak.storage.BackupStore.Staging;
import dev.sqlbak.storage.BackupStore.StoredFile;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BackupStore} must do, run against each implementation by a subclass that only
 * says how to make one: publishing is all or nothing, CREATE_NEW never clobbers, staging is
 * invisible and cleaned up, listings show only the store's own files.
 */
public abstract class BackupStoreContract {
  @TempDir Path dir;
  /** Where scratch files go: staging of stores without a folder, local copies. */
  @TempDir Path scratch;
  protected BackupStore store;

  /** A new, empty store; {@code dir} is a fresh folder the store may keep its files in. */
  protected abstract BackupStore newStore(Path dir, Path scratch) throws Exception;

  @BeforeEach
  void makeStore() throws Exception {
    store = newStore(dir, scratch);
  }

  /** Publishes {@code content} as {@code name} through a staging of its own. */
  protected void put(String name, String content, Publish mode) throws Exception {
    try (Staging staging = store.stage(DataMode.OWNER_ONLY)) {
      Files.writeString(staging.file(), content);
      store.publish(staging, staging.file(), name, mode);
    }
  }

  protected String read(String name) throws Exception {
    try (InputStream in = store.open(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  protected List<String> names() throws Exception {
    return store.list().stream().map(StoredFile::name).toList();
  }

  @Test
  void publishedFilesAreListedSortedAndReadBackByteForByte() throws Exception {
    put("b-20261101T030000Z.db", "second", Publish.CREATE_NEW);
    put("a-20261101T030000Z.db", "first one", Publish.CREATE_NEW);
    assertEquals(List.of(new StoredFile("a-20261101T030000Z.db", 9), new StoredFile("b-20261101T030000Z.db", 6)),
        store.list());
    assertEquals("first one", read("a-20261101T030000Z.db"));
    assertTrue(store.exists("b-20261101T030000Z.db"));
    assertFalse(store.exists("c-20261101T030000Z.db"));
    assertThrows(NoSuchFileException.class, () -> store.open("c-20261101T030000Z.db"));
    assertTrue(store.describe("a-20261101T030000Z.db").endsWith("a-20261101T030000Z.db"));
  }

  @Test
  void createNewRefusesATakenNameAndLeavesItsContent() throws Exception {
    put("app.db", "old", Publish.CREATE_NEW);
    try (Staging staging = store.stage(DataMode.OWNER_ONLY)) {
      Files.writeString(staging.file(), "new");
      assertThrows(FileAlreadyExistsException.class,
          () -> store.publish(staging, staging.file(), "app.db", Publish.CREATE_NEW));
    }
    assertEquals("old", read("app.db"));
    assertEquals(List.of("app.db"), names());
  }

  @Test
  void replaceReplacesTheContent() throws Exception {
    put("app.db", "old content", Publish.CREATE_NEW);
    put("app.db", "new", Publish.REPLACE);
    assertEquals("new", read("app.db"));
    assertEquals(List.of(new StoredFile("app.db", 3)), store.list());
  }

  @Test
  void stagedFilesAreNeverListedAndAreGoneAfterClose() throws Exception {
    put("kept.db", "kept", Publish.CREATE_NEW);
    List<Path> staged = new ArrayList<>();
    try (Staging staging = store.stage(DataMode.OWNER_ONLY)) {
      Files.writeString(staging.file(), "unpublished");
      staged.add(staging.file());
      staged.add(staging.newFile("gz"));
      staged.add(staging.prepareText("sha256", "abc  kept.db\n"));
      for (Path p : staged) {
        assertTrue(Files.exists(p), p.toString());
      }
      assertEquals("abc  kept.db\n", Files.readString(staged.get(2)));
      assertEquals(List.of("kept.db"), names());
    }
    for (Path p : staged) {
      assertFalse(Files.exists(p), p + " outlived its staging");
    }
    assertEquals(List.of("kept.db"), names());
    assertEquals(List.of(), leftInScratch());
  }

  @Test
  void aPreparedTextIsPublishedLikeAnyStagedFile() throws Exception {
    try (Staging staging = store.stage(DataMode.OWNER_ONLY)) {
      Files.writeString(staging.file(), "db");
      Path side = staging.prepareText("sha256", "0123  app.db\n");
      store.publish(staging, staging.file(), "app.db", Publish.CREATE_NEW);
      store.publish(staging, side, "app.db.sha256", Publish.REPLACE);
    }
    assertEquals(List.of("app.db", "app.db.sha256"), names());
    assertEquals("0123  app.db\n", read("app.db.sha256"));
  }

  @Test
  void deleteSaysWhetherItRemovedSomething() throws Exception {
    put("app.db", "x", Publish.CREATE_NEW);
    assertTrue(store.delete("app.db"));
    assertFalse(store.delete("app.db"));
    assertFalse(store.exists("app.db"));
    assertEquals(List.of(), names());
  }

  @Test
  void localGivesAFileWithThePublishedBytesAndItsCompanions() throws Exception {
    put("app.db", "the bytes", Publish.CREATE_NEW);
    put("app.db.sha256", "hash  app.db\n", Publish.CREATE_NEW);
    Path file;
    try (LocalCopy local = store.local("app.db", ".sha256", ".missing")) {
      file = local.file();
      assertEquals("the bytes", Files.readString(file));
      Path companion = file.resolveSibling(file.getFileName() + ".sha256");
      assertEquals("hash  app.db\n", Files.readString(companion));
      assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".missing")));
    }
    assertEquals("the bytes", read("app.db"), "closing a local copy must not touch the store");
    assertThrows(NoSuchFileException.class, () -> store.local("gone.db"));
    assertEquals(List.of(), leftInScratch());
  }

  @Test
  void twoRunsPublishingOneNewNameExactlyOneWins() throws Exception {
    for (int round = 0; round < 20; round++) {
      String name = "race-" + round + ".db";
      CountDownLatch ready = new CountDownLatch(2);
      Callable<Boolean> run = () -> {
        try (Staging staging = store.stage(DataMode.OWNER_ONLY)) {
          Files.writeString(staging.file(), Thread.currentThread().getName());
          ready.countDown();
          ready.await();
          store.publish(staging, staging.file(), name, Publish.CREATE_NEW);
          return true;
        } catch (FileAlreadyExistsException e) {
          return false;
        }
      };
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<Boolean> a = pool.submit(run);
        Future<Boolean> b = pool.submit(run);
        assertTrue(a.get(30, TimeUnit.SECONDS) ^ b.get(30, TimeUnit.SECONDS), "exactly one must win " + name);
      } finally {
        pool.shutdownNow();
      }
      assertTrue(read(name).startsWith("pool-"), read(name));
    }
  }

  @Test
  void lockNameSerialisesTwoHolders() throws Exception {
    AtomicBoolean firstHeld = new AtomicBoolean(true);
    AtomicBoolean overlapped = new AtomicBoolean(false);
    CountDownLatch secondDone = new CountDownLatch(1);
    NameLock first = store.lockName("app.db");
    Thread second = new Thread(() -> {
      try (NameLock again = store.lockName("app.db")) {
        overlapped.set(firstHeld.get());
      } catch (Exception e) {
        overlapped.set(true);
      } finally {
        secondDone.countDown();
      }
    });
    second.start();
    assertFalse(secondDone.await(300, TimeUnit.MILLISECONDS), "the second holder did not wait");
    try (NameLock other = store.lockName("other.db")) {
      // another name is not held up by the first
    }
    firstHeld.set(false);
    first.close();
    assertTrue(secondDone.await(30, TimeUnit.SECONDS));
    assertFalse(overlapped.get(), "the two holders overlapped");
  }

  @Test
  void namesThatAreNotPlainFileNamesAreRefused() {
    for (String bad : new String[] {"", ".", "..", "a/b", "../x"}) {
      assertThrows(IllegalArgumentException.class, () -> store.exists(bad), bad);
    }
  }

  /** What a store left in the shared scratch folder: nothing, once its stagings and copies are closed. */
  private List<String> leftInScratch() throws Exception {
    try (var entries = Files.list(scratch)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
