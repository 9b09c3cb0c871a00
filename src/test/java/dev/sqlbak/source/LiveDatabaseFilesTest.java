package dev.sqlbak.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.e2e.Neighbours;
import dev.sqlbak.sqlite.SqliteDatabase;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule {@link LiveDatabaseFiles} exists for: a read transaction's lock on a live database must
 * survive anything else sqlbak does with the file. Whether it holds is asked of another process,
 * which can take the write lock only when the lock is gone.
 */
class LiveDatabaseFilesTest {
  @TempDir Path dir;

  @Test
  void anotherHolderOfTheFileComingAndGoingKeepsTheConnectionsLock() throws Exception {
    Path db = TestDatabases.createSample(dir.resolve("app.db"), false, 20);
    try (SqliteDatabase reader = SqliteDatabase.openReadOnly(LiveDatabaseFiles.open(db, "source"), Duration.ZERO)) {
      reader.beginSnapshot(List.of("main"));
      LiveDatabaseFiles.open(db, "source").close();
      LiveDatabaseFiles.openAsIs(dir.resolve("./app.db")).close();
      // Even through another name of the same file (a hard link), which sqlbak refuses as a source
      // but may meet in info or verify.
      Files.createLink(dir.resolve("other.db"), db);
      LiveDatabaseFiles.openAsIs(dir.resolve("other.db")).close();

      assertEquals("busy", Neighbours.tryExclusiveLock(db), "the snapshot's SHARED lock must still hold writers off");
      reader.endSnapshot();
    }
    assertEquals("got", Neighbours.tryExclusiveLock(db), "once the connection is closed, the lock is gone");
  }

  /** Why the rule exists: any other descriptor of the file, closed, takes the connection's lock with it. */
  @Test
  void aDescriptorOpenedAndClosedBesideTheConnectionDropsItsLock() throws Exception {
    Path db = TestDatabases.createSample(dir.resolve("app.db"), false, 20);
    try (SqliteDatabase reader = SqliteDatabase.openReadOnly(LiveDatabaseFiles.open(db, "source"), Duration.ZERO)) {
      reader.beginSnapshot(List.of("main"));
      assertEquals("busy", Neighbours.tryExclusiveLock(db));
      FileChannel.open(db).close();

      assertEquals("got", Neighbours.tryExclusiveLock(db), "POSIX drops the process's locks on any close");
    }
  }

  @Test
  void sideFilesAreFoundThroughSymlinksAndHardLinks() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real")).resolve("app.db");
    TestDatabases.createSample(real, true, 5);
    Files.createSymbolicLink(dir.resolve("linked"), Path.of("real"));
    Path wal = Files.writeString(dir.resolve("real/app.db-wal"), "");
    Files.createLink(dir.resolve("hard-wal"), wal);
    Files.createSymbolicLink(dir.resolve("dangling"), Path.of("real/app.db-journal"));
    try (LiveDatabaseFiles files = LiveDatabaseFiles.open(dir.resolve("linked/app.db"), "source")) {
      assertEquals(real.toRealPath(), files.real());
      assertTrue(files.headerSaysWal());
      assertTrue(isOwnFile(files, dir.resolve("linked/app.db-shm")));
      assertTrue(isOwnFile(files, dir.resolve("hard-wal")));
      assertTrue(isOwnFile(files, dir.resolve("dangling")));
      assertTrue(isOwnFile(files, dir.resolve("real/../linked/app.db")));
      assertFalse(isOwnFile(files, dir.resolve("real/app.db-wal.bak")));
      assertFalse(isOwnFile(files, dir.resolve("app.db-wal")));
    }
    // Another name of the same file has side files of its own, which SQLite uses through that name.
    Files.createLink(dir.resolve("other.db"), real);
    try (LiveDatabaseFiles files = LiveDatabaseFiles.openAsIs(real)) {
      assertTrue(isOwnFile(files, dir.resolve("other.db-journal")));
      assertTrue(isOwnFile(files, dir.resolve("other.db")));
    }
  }

  private static boolean isOwnFile(LiveDatabaseFiles files, Path other) {
    return LiveDatabaseFiles.ownFileKind(files.real(), other).isPresent();
  }
}
