package dev.sqlbak.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Where a restore stands, for a stop from another thread: before the copy TARGET is untouched and
 * the run may simply end; during the copy the stop waits until the copy has committed or been
 * rolled back; after the commit TARGET holds the backup. The line returned says which.
 */
final class RestoreWatch implements Interruptions.Stoppable, AutoCloseable {
  /** How far the restore got, as far as TARGET is concerned. */
  enum Phase {
    PREPARING,
    COPYING,
    ROLLED_BACK,
    /** The copy failed and SQLite could not roll it back yet: its journal holds the old pages. */
    JOURNAL_LEFT,
    COMMITTED
  }

  /** Whether TARGET existed when the restore began, which decides what "unchanged" means. */
  enum TargetAtStart {
    EXISTING,
    ABSENT
  }

  private final Path target;
  private final TargetAtStart atStart;
  private final CountDownLatch settled = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private Phase phase = Phase.PREPARING;

  private RestoreWatch(Path target, TargetAtStart atStart) {
    this.target = target;
    this.atStart = atStart;
  }

  /** Starts watching a restore into {@code target}; close it when the restore ends, however it ends. */
  static RestoreWatch start(Path target, TargetAtStart atStart) {
    RestoreWatch watch = new RestoreWatch(target, atStart);
    Interruptions.register(watch);
    return watch;
  }

  /** Whether a stop was asked for: the copy checks this between its steps. */
  boolean stopRequested() {
    return stopRequested;
  }

  synchronized Phase phase() {
    return phase;
  }

  /** Marks the start of writing TARGET, or ends the run here if a stop came first. */
  synchronized void copying() {
    if (stopRequested) {
      throw stopped();
    }
    phase = Phase.COPYING;
  }

  /** The copy ended: committed, rolled back, or left to its journal. */
  synchronized void copyEnded(Phase outcome) {
    phase = outcome;
    settled.countDown();
  }

  /** The failure a run throws when it ends because of a stop; the shutdown hook prints the line. */
  SqlbakException stopped() {
    return SqlbakException.failed("restore interrupted", target, null);
  }

  @Override
  public Optional<String> stop(Duration patience) {
    synchronized (this) {
      stopRequested = true;
      if (phase != Phase.COPYING) {
        return Optional.of(line(phase));
      }
    }
    try {
      settled.await(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      return Optional.of(line(phase));
    }
  }

  private String line(Phase at) {
    String prefix = "sqlbak: restore interrupted: " + target + "; ";
    switch (at) {
      case PREPARING:
      case ROLLED_BACK:
        return prefix + (atStart == TargetAtStart.ABSENT ? "it was not created"
            : at == Phase.ROLLED_BACK ? "the copy was rolled back, it was not changed" : "it was not changed");
      case COMMITTED:
        return prefix + "the restore had already committed: it holds the backup's content";
      case JOURNAL_LEFT:
        return prefix + "it holds a partly written copy that its -journal file rolls back on the next open;"
            + " do not delete that file";
      default:
        return prefix + "the copy did not finish rolling back in time; if a -journal file is beside it, do not"
            + " delete it: the next open of the database rolls it back";
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      Interruptions.settled(line(phase));
    }
    Interruptions.unregister(this);
    settled.countDown();
  }
}
