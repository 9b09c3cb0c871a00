package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A separate process that holds {@code BEGIN EXCLUSIVE} on a database, with one uncommitted change,
 * until its stdin reaches end of file. Usage: {@code LockHolder DB [SQL]} (the change is {@code
 * SQL}, by default an update of table {@code users}). Prints {@code locked} once the lock is held
 * and {@code released} after rolling back. A process of its own, because closing any descriptor
 * of a file drops all of a process's locks on it, and sqlbak's engine opens the source's file.
 */
public final class LockHolder {
  private static final String DEFAULT_CHANGE = "UPDATE users SET name = name || '!'";

  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    StopSignal stop = StopSignal.onEndOfInput();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]); Statement s = c.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      s.execute(args.length > 1 ? args[1] : DEFAULT_CHANGE); // uncommitted: a reader must never see it
      out.println("locked");
      while (!stop.isSet()) {
        Thread.sleep(10);
      }
      s.execute("ROLLBACK");
    }
    out.println("released");
  }

  /** Starts a holder on {@code db} making {@code change} (none: the default) and waits until it holds the lock. */
  public static Process start(Path db, String... change) throws IOException {
    List<String> args = new ArrayList<>(List.of(db.toString()));
    args.addAll(List.of(change));
    Process p = HelperJvm.of(LockHolder.class, List.of(), args.toArray(String[]::new)).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    assertEquals("locked", first, "the lock holder must report that it holds the lock");
    return p;
  }

  /** Closes the holder's stdin, which makes it roll back and exit. */
  public static void release(Process holder) throws InterruptedException {
    if (holder.isAlive()) {
      try {
        holder.getOutputStream().close();
      } catch (IOException e) {
        // already gone
      }
      if (!holder.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
        holder.destroyForcibly();
      }
    }
  }

}
