package dev.sqlbak.e2e;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A separate writer process for the live-backup tests: commits rows 1, 2, 3, ... of table {@code w}
 * one per transaction, setting the one-row table {@code counter} to the same number in that
 * transaction, until its stdin reaches end of file.
 *
 * <p>Usage: {@code WriterProcess DB INTERVAL_MILLIS}. Prints {@code committed <n> <epochMillis>}
 * after each commit returns and {@code stopped <n>} at the end; exits 1 on any SQL error, so a
 * writer that was made to fail (for example by a lock held past its busy timeout) fails the test.
 */
public final class WriterProcess {
  /**
   * In rollback-journal mode the backup's read transaction blocks commits for the copy's whole
   * duration; the writer must wait that out rather than fail.
   */
  static final int BUSY_TIMEOUT_MILLIS = 60_000;

  private WriterProcess() {}

  public static void main(String[] args) throws Exception {
    String db = args[0];
    long interval = Long.parseLong(args[1]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    StopSignal stop = StopSignal.onEndOfInput();

    long n;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT n FROM counter")) {
        rs.next();
        n = rs.getLong(1);
      }
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO w(id, at) VALUES (?, ?)");
          PreparedStatement count = c.prepareStatement("UPDATE counter SET n = ?")) {
        while (!stop.isSet()) {
          long next = n + 1;
          insert.setLong(1, next);
          insert.setLong(2, System.currentTimeMillis());
          insert.executeUpdate();
          count.setLong(1, next);
          count.executeUpdate();
          c.commit();
          n = next;
          out.println("committed " + n + " " + System.currentTimeMillis());
          out.flush();
          Thread.sleep(interval);
        }
      }
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
      return;
    }
    out.println("stopped " + n);
    out.flush();
  }
}
