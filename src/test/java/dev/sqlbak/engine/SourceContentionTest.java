package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.integrityCheck;
import static dev.sqlbak.TestDatabases.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups while another connection holds or keeps taking the source's lock: the backup waits for a
 * lock, counts what it waited, never restarts, and copies one committed state.
 */
class SourceContentionTest {
  @TempDir Path dir;
  private final BackupEngine engine = new BackupEngine();

  @Test
  void waitsForAnExclusiveLockAndReportsTheWait() throws Exception {
    Path source = TestDatabases.createSample(dir.resolve("app.db"), false, 300);
    String before = contentDigest(source);
    CountDownLatch locked = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      try (Connection c = TestDatabases.open(source); Statement s = c.createStatement()) {
        s.execute("BEGIN EXCLUSIVE");
        locked.countDown();
        Thread.sleep(400);
        s.execute("COMMIT");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    holder.start();
    assertTrue(locked.await(10, TimeUnit.SECONDS));

    BackupResult r = engine.backup(BackupRequest.of(source, dir.resolve("copy.db").toString())
        .withBusyTimeout(Duration.ofSeconds(20)), ProgressListener.NONE);
    holder.join();

    SourceContention c = r.contention();
    assertTrue(c.busyRetries() > 0, c.toString());
    // The holder kept the lock about 400 ms after the backup started waiting; allow for scheduling.
    assertTrue(c.busyWait().toMillis() >= 100, c.toString());
    assertEquals(0, c.restarts(), c.toString());
    assertEquals(before, contentDigest(dir.resolve("copy.db")));
  }

  @Test
  void aWalWriterCommittingDuringAStepwiseCopyCausesNoRestartAndStaysOutOfTheCopy() throws Exception {
    Path source = TestDatabases.createLarge(dir.resolve("big.db"), true, 8);
    long rowsAtStart = scalar(source, "SELECT count(*) FROM t");
    AtomicInteger commits = new AtomicInteger();
    try (Connection writer = TestDatabases.open(source); Statement w = writer.createStatement()) {
      // The writer commits between the copy's steps, on this thread, so every step sees a change.
      ProgressListener writeBetweenSteps = (schema, copied, total) -> {
        try {
          w.execute("INSERT INTO t(b) SELECT b FROM t LIMIT 1");
          commits.incrementAndGet();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      BackupResult r = engine.backup(BackupRequest.of(source, dir.resolve("copy.db").toString())
          .withPages(16), writeBetweenSteps);

      assertTrue(commits.get() > 10, "the writer committed " + commits.get() + " times");
      assertEquals(0, r.contention().restarts(), r.contention().toString());
      assertEquals(rowsAtStart, scalar(dir.resolve("copy.db"), "SELECT count(*) FROM t"));
      assertEquals("ok", integrityCheck(dir.resolve("copy.db")));
      assertTrue(r.contention().snapshotHeld().toNanos() > 0);
    }
  }
}
