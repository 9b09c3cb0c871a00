package dev.sqlbak.cli;

import dev.sqlbak.engine.Interruptions;
import dev.sqlbak.storage.AtomicDestination;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** The process entry point: the only place that exits. */
public final class Main {
  /** How long a stop waits for a restore's copy to roll back; past it, the line says so. */
  private static final Duration ROLLBACK_PATIENCE = Duration.ofMinutes(2);

  /** Set once the command has ended: shutdown hooks run on every exit, not only on a signal. */
  private static volatile boolean exiting;

  private Main() {}

  public static void main(String[] args) {
    configureLogging(args);
    // SIGINT and SIGTERM run shutdown hooks and then exit with 130 and 143; removing in-flight
    // temporary files here is what keeps an interrupted run from leaving anything behind.
    Runtime.getRuntime().addShutdownHook(new Thread(Main::abandonInFlight, "sqlbak-cleanup"));
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(
        new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
    // Unbuffered: restore - reads stdin to its end in large reads of its own.
    StandardInput in = new StandardInput(new FileInputStream(FileDescriptor.in), StandardInput.isTerminal());
    int code = SqlbakCommand.run(in, out, err, System.console() != null, args);
    exiting = true;
    System.exit(code);
  }

  private static void abandonInFlight() {
    // Read first: a command that a signal stopped may end, and set it, while the stops below wait.
    boolean commandEnded = exiting;
    // A restore first brings TARGET to its old or its new content; its line says which.
    List<String> lines = Interruptions.stopAll(ROLLBACK_PATIENCE);
    boolean removed = AtomicDestination.abandonAll();
    PrintStream err = System.err;
    if (!lines.isEmpty()) {
      lines.forEach(err::println);
    } else if (removed) {
      err.println("sqlbak: interrupted: temporary files removed, nothing was published");
    } else if (!commandEnded) {
      // A stop after a restore ended but before its command reported: say how it left TARGET.
      err.println(Interruptions.settledLine().orElse("sqlbak: interrupted"));
    }
    err.flush();
  }

  /** slf4j-simple reads its level once, so it must be set before the first logger exists. */
  private static void configureLogging(String[] args) {
    String level = "warn";
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      if (a.equals("-v") || a.equals("--verbose")) {
        level = "debug";
      } else if ((a.equals("-q") || a.equals("--quiet")) && !level.equals("debug")) {
        level = "error";
      }
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    // The driver logs its own troubles (with stack traces) at error level, e.g. a missing temporary
    // folder it merely wanted to tidy; sqlbak reports what matters in its one line instead.
    System.setProperty("org.slf4j.simpleLogger.log.org.sqlite", level.equals("debug") ? "debug" : "off");
    // The AWS SDK's debug logging is every request and header (pages per upload part): sqlbak's
    // own debug lines say what it does; the SDK's failures reach the user as sqlbak's one line.
    System.setProperty("org.slf4j.simpleLogger.log.software.amazon.awssdk", "error");
  }
}
