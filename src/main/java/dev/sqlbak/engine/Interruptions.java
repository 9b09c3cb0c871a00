package dev.sqlbak.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How SIGINT and SIGTERM reach a running use case: the process's shutdown hook asks every
 * registered operation to stop, waits while each brings its files back to a state it can name,
 * and prints the one line each returns.
 */
public final class Interruptions {
  private static final Set<Stoppable> RUNNING = ConcurrentHashMap.newKeySet();
  private static volatile boolean requested;
  /** What the last operation to end would tell a stop that comes before the process exits. */
  private static volatile String settled;

  private Interruptions() {}

  /** An operation that can be stopped from another thread. */
  interface Stoppable {
    /**
     * Stops the operation, waiting at most {@code patience} for it to finish what cannot be left
     * half done, and returns the line that tells the user how it left things, if it has one.
     */
    Optional<String> stop(Duration patience);
  }

  static void register(Stoppable s) {
    RUNNING.add(s);
  }

  static void unregister(Stoppable s) {
    RUNNING.remove(s);
  }

  /**
   * Records how an operation that has just ended left things: a stop that comes after it, while
   * the command is still reporting, says this rather than leaving the user to guess.
   */
  static void settled(String line) {
    settled = line;
  }

  /** How the last operation to end left things, for a stop that found nothing running. */
  public static Optional<String> settledLine() {
    return Optional.ofNullable(settled);
  }

  /**
   * Whether the process is being stopped: a command then prints nothing more of its own, since
   * the lines of {@link #stopAll} say what happened.
   */
  public static boolean requested() {
    return requested;
  }

  /** Forgets an earlier {@link #stopAll}: for tests, which stop restores inside one JVM. */
  static void forget() {
    requested = false;
    settled = null;
  }

  /** Stops every registered operation (from the shutdown hook) and returns their lines. */
  public static List<String> stopAll(Duration patience) {
    requested = true;
    List<String> lines = new ArrayList<>();
    for (Stoppable s : RUNNING) {
      s.stop(patience).ifPresent(lines::add);
    }
    return lines;
  }
}
