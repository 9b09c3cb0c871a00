package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A separate reader process for the restore tests: opens one database connection once and, until
 * its stdin reaches end of file, reads a fingerprint of the database in one read transaction after
 * another, never reopening.
 *
 * <p>Usage: {@code ReaderProcess DB PAUSE_MILLIS}. Each read prints one line {@code <count(*) of t>
 * <sum(v) of t> <markers of m>}, all read in one transaction; {@code stopped <reads>} at the end.
 * Any SQL error prints {@code error: <exception>} and exits 1, so a reader that a restore made
 * fail (for example with SQLITE_CORRUPT from a mix of old and new pages, or SQLITE_BUSY past its
 * generous busy timeout) fails the test.
 */
public final class ReaderProcess {
  /** Long enough to wait out a restore that holds the target locked for its whole copy. */
  static final int BUSY_TIMEOUT_MILLIS = 30_000;

  private ReaderProcess() {}

  public static void main(String[] args) throws Exception {
    String db = args[0];
    long pause = Long.parseLong(args[1]);
    // "whole": each transaction also reads every page of the bulk table, as a reporting job would.
    boolean whole = args.length > 2 && args[2].equals("whole");
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    StopSignal stop = StopSignal.onEndOfInput();

    long reads = 0;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
      }
      c.setAutoCommit(false);
      try (PreparedStatement sums = c.prepareStatement("SELECT count(*), sum(v) FROM t");
          PreparedStatement bulk = c.prepareStatement("SELECT count(*) FROM bulk WHERE substr(b, 4000, 1) = x'00'");
          PreparedStatement markers = c.prepareStatement("SELECT group_concat(marker, '+') FROM m")) {
        while (!stop.isSet()) {
          String line;
          try (ResultSet rs = sums.executeQuery()) {
            rs.next();
            line = rs.getLong(1) + " " + rs.getLong(2);
          }
          try (ResultSet rs = markers.executeQuery()) {
            rs.next();
            line += " " + rs.getString(1);
          }
          if (whole) {
            try (ResultSet rs = bulk.executeQuery()) {
              rs.next();
            }
          }
          c.commit(); // ends the read transaction: the next read sees whatever is committed then
          reads++;
          out.println(line);
          out.flush();
          if (pause > 0) {
            Thread.sleep(pause);
          }
        }
      }
    } catch (SQLException e) {
      out.println("error: " + e);
      out.flush();
      e.printStackTrace();
      System.exit(1);
      return;
    }
    out.println("stopped " + reads);
    out.flush();
  }

  /** Starts a reader of {@code db} as a separate JVM; its stdout lines are collected as they come. */
  static Handle start(Path db, long pauseMillis) throws IOException {
    return start(db, pauseMillis, "fingerprint");
  }

  /** As {@link #start(Path, long)}; {@code reads} is {@code whole} to read every page each time. */
  static Handle start(Path db, long pauseMillis, String reads) throws IOException {
    Process p = HelperJvm.of(ReaderProcess.class, List.of("-XX:+UseSerialGC"), db.toString(),
        Long.toString(pauseMillis), reads).start();
    Handle h = new Handle(p);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = in.readLine()) != null; ) {
          h.lines.add(l);
        }
      } catch (IOException e) {
        // the reader ended
      }
    }, "reader-stdout");
    reader.setDaemon(true);
    reader.start();
    h.stdoutThread = reader;
    return h;
  }

  /** A running reader process and the lines it has printed so far. */
  static final class Handle implements AutoCloseable {
    final Process process;
    /** Every stdout line so far, in order. */
    final List<String> lines = new CopyOnWriteArrayList<>();
    private Thread stdoutThread;

    private Handle(Process process) {
      this.process = process;
    }

    /** Waits until some printed line from index {@code from} on satisfies {@code wanted}; returns its index. */
    int awaitLine(int from, Predicate<String> wanted, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      int i = from;
      while (System.nanoTime() < deadline) {
        for (; i < lines.size(); i++) {
          if (wanted.test(lines.get(i))) {
            return i;
          }
        }
        if (!process.isAlive() && i >= lines.size()) {
          Thread.sleep(50); // let the stdout thread drain
          if (i >= lines.size()) {
            break;
          }
        }
        Thread.sleep(2);
      }
      throw new AssertionError("the reader printed no wanted line after line " + from + " within " + timeout
          + " (alive=" + process.isAlive() + "); last lines: "
          + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    /**
     * Closes the reader's stdin and waits for it to end; returns its exit code, with every line it
     * printed collected.
     */
    int stop() throws Exception {
      process.getOutputStream().close();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the reader did not stop");
      stdoutThread.join(10_000);
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
