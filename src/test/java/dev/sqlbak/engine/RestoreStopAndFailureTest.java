package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.integrityCheck;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A restore into an existing TARGET that is stopped mid-copy (as the shutdown hook stops it on
 * SIGINT or SIGTERM) or whose copy fails (a full disk): TARGET keeps its old content with no hot
 * journal beside it, the safety copy is not left as litter, and what the run says is true.
 */
class RestoreStopAndFailureTest {
  @TempDir Path dir;

  @AfterEach
  void forgetTheStop() {
    Interruptions.forget();
  }

  @Test
  void aStopAfterTheRestoreEndedStillSaysHowTargetWasLeft() throws Exception {
    // A signal between the end of the restore and the exit: the line must not leave the user to
    // guess (CI met "sqlbak: interrupted" over a TARGET that held the backup).
    Path target = TestDatabases.createSample(dir.resolve("target.db"), false, 10);
    Path backup = TestDatabases.createSample(dir.resolve("backup.db"), false, 50);
    new RestoreEngine().restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE);
    assertEquals(contentDigest(backup), contentDigest(target));
    assertEquals(List.of(), Interruptions.stopAll(Duration.ZERO), "nothing is running any more");
    assertEquals("sqlbak: restore interrupted: " + target + "; the restore had already committed: it holds"
        + " the backup's content", Interruptions.settledLine().orElseThrow());
  }

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void aStopMidCopyRollsBackAndSaysSo(boolean wal) throws Exception {
    Path target = TestDatabases.createLarge(dir.resolve("target.db"), wal, 6);
    String oldDigest = contentDigest(target);
    Path backup = TestDatabases.createLarge(dir.resolve("backup.db"), false, 8);
    try (Connection c = TestDatabases.open(backup); Statement s = c.createStatement()) {
      s.execute("DELETE FROM t WHERE rowid % 3 = 0"); // other content than TARGET's
    }
    CountDownLatch midCopy = new CountDownLatch(1);
    CountDownLatch stopAsked = new CountDownLatch(1);
    ProgressListener pausing = (schema, copied, total) -> {
      if (copied > 0 && copied < total && midCopy.getCount() > 0) {
        midCopy.countDown();
        await(stopAsked); // the copy's thread waits here, between two steps, until the stop is asked for
      }
    };
    RestoreRequest request = RestoreRequest.of(backup, target).withForce(true).withPages(16);
    CompletableFuture<RestoreResult> run = CompletableFuture.supplyAsync(() -> new RestoreEngine().restore(request, pausing));
    assertTrue(midCopy.await(60, TimeUnit.SECONDS), "the copy never reached its middle");
    CompletableFuture<List<String>> stop = CompletableFuture.supplyAsync(() -> Interruptions.stopAll(Duration.ofSeconds(60)));
    Thread.sleep(200); // the stop flag is set at once; let the stop start waiting for the rollback
    stopAsked.countDown();
    List<String> lines = stop.get(60, TimeUnit.SECONDS);

    Exception e = assertThrows(Exception.class, () -> run.get(60, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof SqlbakException && e.getCause().getMessage().startsWith("restore interrupted"),
        String.valueOf(e.getCause()));
    assertEquals(List.of("sqlbak: restore interrupted: " + target + "; the copy was rolled back, it was not changed"),
        lines);
    assertFalse(TestDatabases.hotJournalBeside(target), "a hot journal was left beside TARGET");
    assertEquals(oldDigest, contentDigest(target), "TARGET must hold its old content");
    assertEquals("ok", integrityCheck(target));
    assertTrue(listing(dir).stream().noneMatch(n -> n.contains(".pre-restore-")),
        "the safety copy of an unchanged TARGET is litter: " + listing(dir));
  }

  /**
   * The disk fills up while the copy runs (another process's file takes the room the free-space
   * check saw): the copy fails, and must be rolled back before the run says "not changed".
   */
  @Test
  void aDiskThatFillsUpMidCopyIsRolledBackBeforeItIsReported() throws Exception {
    Path small = Files.createDirectory(dir.resolve("small"));
    Supplier<Boolean> mounted = () -> dev.sqlbak.TestCommands.succeeds("mount", "-t", "tmpfs", "-o", "size=6m",
        "tmpfs", small.toString());
    Assumptions.assumeTrue(mounted.get(), "needs root to mount a 6 MiB tmpfs (mount -t tmpfs); not available here");
    try {
      Path target = TestDatabases.createSample(small.resolve("t.db"), false, 5);
      String oldDigest = contentDigest(target);
      long oldSize = Files.size(target);
      long freeBefore = Files.getFileStore(small).getUsableSpace();
      Path backup = TestDatabases.createLarge(dir.resolve("bak.db"), false, 3);
      Path filler = small.resolve("filler");
      ProgressListener filling = (schema, copied, total) -> {
        if (copied > 0 && copied < total / 2 && !Files.exists(filler)) {
          fill(filler);
        }
      };

      SqlbakException e = assertThrows(SqlbakException.class, () -> new RestoreEngine().restore(
          RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(false).withPages(16), filling));
      Files.delete(filler);

      assertTrue(e.getMessage().startsWith("target's disk is full: " + target), e.getMessage());
      assertTrue(e.getMessage().contains("it was not changed"), e.getMessage());
      assertFalse(TestDatabases.hotJournalBeside(target), "a hot journal was left beside TARGET");
      assertEquals(oldSize, Files.size(target), "TARGET's size");
      assertEquals(oldDigest, contentDigest(target), "TARGET must hold its old content, as the line says");
      assertEquals(freeBefore, Files.getFileStore(small).getUsableSpace(), "the free space must be back");
      assertEquals(List.of("t.db"), listing(small));
    } finally {
      dev.sqlbak.TestCommands.succeeds("umount", small.toString());
    }
  }

  /** Writes {@code file} until its disk is full. */
  private static void fill(Path file) {
    byte[] block = new byte[64 * 1024];
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (java.io.IOException full) {
      // the disk is full now
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
