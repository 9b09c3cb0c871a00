package dev.sqlbak.sqlite;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.sqlite.BusyHandler;

/**
 * Retries a busy lock every 100 microseconds until the timeout, counting the waits. SQLite's own
 * busy timeout sleeps in growing steps of up to 100 ms, and a rollback-journal writer committing
 * back to back frees the lock only for moments between its transactions: a reader that sleeps that
 * long keeps missing those moments and starves until its timeout, although the lock was free many
 * times.
 */
final class PatientBusyHandler extends BusyHandler {
  private static final long RETRY_NANOS = 100_000;
  private final long timeoutNanos;
  private long episodeStart;
  private long retries;
  private long waitedNanos;
  private volatile BooleanSupplier giveUp = () -> false;
  private boolean timedOut;

  PatientBusyHandler(Duration timeout) {
    // Saturating: --busy-timeout accepts durations beyond what fits in a long of nanoseconds.
    this.timeoutNanos = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
  }

  @Override
  protected int callback(int previousRetries) {
    long now = System.nanoTime();
    if (previousRetries == 0) {
      episodeStart = now;
    }
    if (giveUp.getAsBoolean()) {
      return 0;
    }
    if (now - episodeStart >= timeoutNanos) {
      timedOut = true;
      return 0;
    }
    LockSupport.parkNanos(Math.min(RETRY_NANOS, timeoutNanos - (now - episodeStart)));
    retries++;
    waitedNanos += System.nanoTime() - now;
    return 1;
  }

  /**
   * Makes every wait end at once while {@code condition} holds, and also once a wait has timed out:
   * a caller that retries after a busy result (the driver's backup loop does) must not wait the
   * whole timeout again each time.
   */
  void giveUpWhen(BooleanSupplier condition) {
    timedOut = false;
    giveUp = () -> condition.getAsBoolean() || timedOut;
  }

  /** Whether a wait has run out of time since the last {@link #giveUpWhen}. */
  boolean timedOut() {
    return timedOut;
  }

  /** The retries so far and the time slept in them. */
  SqliteDatabase.LockWaits waits() {
    return new SqliteDatabase.LockWaits(retries, Duration.ofNanos(waitedNanos));
  }
}
