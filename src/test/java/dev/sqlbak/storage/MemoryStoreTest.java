package dev.sqlbak.storage;

import java.nio.file.Path;

/** The {@link BackupStore} contract for {@link MemoryStore}. */
class MemoryStoreTest extends BackupStoreContract {
  @Override
  protected BackupStore newStore(Path dir, Path scratch) {
    return new MemoryStore(scratch);
  }
}
