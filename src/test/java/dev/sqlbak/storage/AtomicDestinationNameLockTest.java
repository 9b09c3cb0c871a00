package dev.sqlbak.storage;

import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicDestination#lockName}: runs publishing one name take turns and leave no lock file. */
class AtomicDestinationNameLockTest {
  @TempDir Path dir;

  @Test
  void aSecondHolderWaitsForTheFirstAndNothingIsLeftAfterwards() throws Exception {
    AtomicBoolean firstHeld = new AtomicBoolean(true);
    AtomicBoolean overlapped = new AtomicBoolean(false);
    CountDownLatch secondDone = new CountDownLatch(1);
    Thread second;
    NameLock first = AtomicDestination.lockName(dir, "dest.db");
    try {
      List<String> held = listing(dir);
      assertEquals(1, held.size(), held.toString());
      assertTrue(held.get(0).matches("\\.sqlbak-[0-9a-f]{16}\\.lock"), held.toString());
      second = new Thread(() -> {
        try {
          NameLock again = AtomicDestination.lockName(dir, "dest.db");
          overlapped.set(firstHeld.get());
          again.close();
        } catch (Exception e) {
          overlapped.set(true);
        }
        secondDone.countDown();
      });
      second.start();
      assertFalse(secondDone.await(300, TimeUnit.MILLISECONDS), "the second holder did not wait");
      firstHeld.set(false);
    } finally {
      first.close();
    }
    assertTrue(secondDone.await(10, TimeUnit.SECONDS), "the second holder never got its turn");
    second.join();
    assertFalse(overlapped.get(), "the two holders overlapped");
    assertEquals(List.of(), listing(dir));
  }

  @Test
  void aLockFileLeftByAKilledRunIsTakenOverAndRemoved() throws Exception {
    AtomicDestination.lockName(dir, "dest.db").close();
    assertEquals(List.of(), listing(dir));
    NameLock held = AtomicDestination.lockName(dir, "dest.db");
    Path lockFile = dir.resolve(listing(dir).get(0));
    held.close();
    Files.writeString(lockFile, ""); // as kill -9 would leave it: there, but unlocked
    held = AtomicDestination.lockName(dir, "dest.db");
    assertEquals(List.of(lockFile.getFileName().toString()), listing(dir));
    held.close();
    assertEquals(List.of(), listing(dir));
    held = AtomicDestination.lockName(dir, "other.db");
    assertFalse(Files.exists(lockFile), "another name has another lock file");
    assertEquals(1, listing(dir).size());
    held.close();
  }
}
