package dev.sqlbak.e2e;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A separate process that holds {@code BEGIN EXCLUSIVE} on a database until its stdin reaches end
 * of file. Usage: {@code LockHolder DB}. Prints {@code locked} once the lock is held and {@code
 * released} after rolling back.
 */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    StopSignal stop = StopSignal.onEndOfInput();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]); Statement s = c.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      s.execute("UPDATE users SET name = name || '!'"); // uncommitted: a reader must never see it
      out.println("locked");
      while (!stop.isSet()) {
        Thread.sleep(10);
      }
      s.execute("ROLLBACK");
    }
    out.println("released");
  }
}
