package dev.sqlbak.storage;

import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.storage.BackupStore.Publish;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link BackupStore} contract for {@link LocalFolderStore}, and what only a folder can hold. */
class LocalFolderStoreTest extends BackupStoreContract {
  @Override
  protected BackupStore newStore(Path dir, Path scratch) {
    return new LocalFolderStore(dir);
  }

  @Test
  void onlyRegularFilesAreListedOrDeleted() throws Exception {
    put("app-20261101T030000Z.db", "real", Publish.CREATE_NEW);
    Files.createDirectory(dir.resolve("app-20261102T030000Z.db"));
    Files.createSymbolicLink(dir.resolve("app-20261103T030000Z.db"), dir.resolve("app-20261101T030000Z.db"));
    Files.writeString(dir.resolve(".sqlbak-0123456789abcdef.db"), "a dead run's copy");
    assertEquals(List.of("app-20261101T030000Z.db"), names());
    assertFalse(store.delete("app-20261102T030000Z.db"));
    assertFalse(store.delete("app-20261103T030000Z.db"));
    assertTrue(Files.isDirectory(dir.resolve("app-20261102T030000Z.db")));
    assertTrue(Files.isSymbolicLink(dir.resolve("app-20261103T030000Z.db")));
    assertTrue(store.exists("app-20261102T030000Z.db"), "a name taken by a folder is taken");
  }

  @Test
  void publishedFilesLandInTheFolderUnderTheirNamesAndStagingLeavesNothing() throws Exception {
    put("app.db", "content", Publish.CREATE_NEW);
    assertEquals(List.of("app.db"), listing(dir));
    assertEquals("content", Files.readString(dir.resolve("app.db")));
    assertEquals(dir.resolve("app.db").toString(), store.describe("app.db"));
    try (BackupStore.LocalCopy local = store.local("app.db")) {
      assertEquals(dir.resolve("app.db"), local.file(), "a folder's file is used in place");
    }
    assertTrue(Files.exists(dir.resolve("app.db")));
  }
}
