package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fails because the process is being stopped: the JVM exits as soon as the shutdown
 * hook returns, so the failure must not create anything in the folder (a file it means to remove
 * at once could outlive the process).
 */
class StoppedWriteFailureTest {
  @TempDir Path dir;

  @AfterEach
  void forgetStop() {
    Interruptions.forget();
  }

  /** The names created in {@code dir} while {@code action} runs, as the kernel reports them. */
  private List<String> createdDuring(Runnable action) throws IOException, InterruptedException {
    List<String> created = new ArrayList<>();
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      WatchKey key = dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
      action.run();
      WatchKey seen = watch.poll(500, TimeUnit.MILLISECONDS);
      if (seen != null) {
        for (WatchEvent<?> e : seen.pollEvents()) {
          created.add(String.valueOf(e.context()));
        }
      }
      key.cancel();
    }
    return created;
  }

  @Test
  void aWriteFailureProbesTheFolderForTheOsReasonWhileNoStopIsAsked() throws Exception {
    // The other half of the rule: without a stop, the probe that recovers errno runs (and the
    // watch sees it), so the test below can tell the difference.
    List<String> created = createdDuring(() ->
        Failures.write("cannot write backup", dir, 0, "disk I/O error", new IOException("disk I/O error")));
    assertEquals(1, created.size(), "created: " + created);
    assertTrue(created.get(0).endsWith(".probe"), "created: " + created);
  }

  @Test
  void aWriteFailureAfterAStopWasAskedCreatesNothingInTheFolder() throws Exception {
    Interruptions.stopAll(Duration.ZERO);
    List<String> created = createdDuring(() -> {
      SqlbakException e = Failures.write("cannot write backup", dir, 0, "disk I/O error",
          new IOException("disk I/O error"));
      assertEquals("cannot write backup: " + dir + "; disk I/O error", e.getMessage());
    });
    assertEquals(List.of(), created);
  }
}
