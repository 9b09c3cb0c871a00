package dev.sqlbak.e2e;

import java.io.IOException;

/** For helper processes: becomes set when standard input reaches end of file, the tests' way to say stop. */
final class StopSignal {
  private volatile boolean set;

  private StopSignal() {}

  /** Starts watching standard input on a daemon thread. */
  static StopSignal onEndOfInput() {
    StopSignal signal = new StopSignal();
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the test only ever closes stdin
        }
      } catch (IOException e) {
        // treat as end of file
      }
      signal.set = true;
    }, "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();
    return signal;
  }

  boolean isSet() {
    return set;
  }
}
