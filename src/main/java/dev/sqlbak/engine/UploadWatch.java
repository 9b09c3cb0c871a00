package dev.sqlbak.engine;

import dev.sqlbak.storage.BackupStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How SIGINT and SIGTERM stop a backup that publishes into a remote store, where publishing is an
 * upload that takes a while rather than a rename: the signal aborts the uploads in flight (no
 * multipart upload is left behind to cost money), waits until the publishing thread is out of the
 * store, and keeps any further publishing from starting. Its line says what had been published
 * whole by then, if anything, or else that nothing was.
 */
final class UploadWatch implements Interruptions.Stoppable, AutoCloseable {
  /** An upload into a store, which may fail as I/O does. */
  interface Upload {
    void run() throws IOException;
  }

  /** How long a signal waits for the publishing thread to let go once its upload was aborted. */
  private static final Duration LET_GO = Duration.ofSeconds(15);

  private final BackupStore store;
  private final ReentrantLock turn = new ReentrantLock();
  private final List<String> published = new ArrayList<>();
  private volatile boolean stopped;

  private UploadWatch(BackupStore store) {
    this.store = store;
  }

  /**
   * Watches the uploads into {@code store} until closed, if publishing there is an upload: a
   * folder's publishing is a rename, which the process's own cleanup covers.
   */
  static UploadWatch start(BackupStore store) {
    UploadWatch watch = new UploadWatch(store);
    if (store.publishesByUpload()) {
      Interruptions.register(watch);
    }
    return watch;
  }

  /**
   * Publishes {@code name} by {@code upload}, unless a signal came first; a signal that comes
   * meanwhile aborts it.
   */
  void publish(String name, Upload upload) throws IOException {
    turn.lock();
    try {
      if (stopped) {
        throw new java.io.InterruptedIOException("interrupted before " + store.describe(name) + " was uploaded");
      }
      upload.run();
      published.add(store.describe(name));
    } finally {
      turn.unlock();
    }
  }

  @Override
  public Optional<String> stop(Duration patience) {
    stopped = true;
    store.abortInFlight();
    try {
      // Holding the turn keeps the publishing thread from starting another upload until exit.
      if (!turn.tryLock(Math.min(patience.toMillis(), LET_GO.toMillis()), TimeUnit.MILLISECONDS)) {
        return Optional.of("sqlbak: interrupted during an upload to " + store.describe()
            + "; it did not end in time: check that store with sqlbak list, and run sqlbak prune there later");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (published.isEmpty()) {
      // Said here, not left to the process's cleanup: the publishing thread, let go at once by the
      // abort, may have removed its scratch files before that cleanup looks for any.
      return Optional.of("sqlbak: interrupted: temporary files removed, nothing was published");
    }
    return Optional.of("sqlbak: interrupted after uploading " + String.join(", ", published)
        + " whole; nothing else was published");
  }

  @Override
  public void close() {
    Interruptions.unregister(this);
  }
}
