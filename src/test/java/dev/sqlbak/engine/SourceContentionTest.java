package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.integrityCheck;
import static dev.sqlbak.TestDatabases.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.e2e.LockHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

  /**
   * A rollback-journal source of 64 MiB or more found locked by a writer: while it is kept out,
   * the backup warms memory for its copy (a scratch file appears in the destination folder and
   * goes), then waits for the lock and copies the committed content, leaving only its backup.
   */
  @Test
  void warmsMemoryBeforeWaitingForALargeSourceFoundLocked() throws Exception {
    Path source = TestDatabases.createLarge(dir.resolve("big.db"), false, 72);
    String before = contentDigest(source);
    Path out = Files.createDirectory(dir.resolve("out"));
    // Another process, as a writer would be: closing any descriptor of the file, as sqlbak does
    // to read its header, would drop a lock this process held.
    Process holder = LockHolder.start(source, "DELETE FROM t WHERE id % 2 = 0");
    AtomicBoolean warmUpSeen = new AtomicBoolean();
    // inotify queues every file created, so a short-lived warm-up file is not missed.
    WatchService watch = out.getFileSystem().newWatchService();
    out.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
    Thread releaser = new Thread(() -> {
      try (watch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!warmUpSeen.get() && System.nanoTime() < deadline) {
          WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
          if (key != null) {
            key.pollEvents().forEach(e -> warmUpSeen.compareAndSet(false, e.context().toString().endsWith(".warm")));
            key.reset();
          }
        }
        LockHolder.release(holder);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    releaser.start();

    BackupResult r = engine.backup(BackupRequest.of(source, out.resolve("copy.db").toString())
        .withBusyTimeout(Duration.ofSeconds(60)), ProgressListener.NONE);
    releaser.join();

    assertTrue(warmUpSeen.get(), "no warm-up file appeared while the source was locked");
    assertTrue(r.contention().busyRetries() > 0, r.contention().toString());
    assertEquals(0, r.contention().restarts(), r.contention().toString());
    assertEquals(before, contentDigest(out.resolve("copy.db")));
    assertEquals("ok", integrityCheck(out.resolve("copy.db")));
    assertEquals(List.of("copy.db", "copy.db.sha256"), TestDatabases.listing(out));
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
