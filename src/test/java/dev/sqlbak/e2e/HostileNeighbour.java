package dev.sqlbak.e2e;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A separate process that uses a database the way real neighbours of a backup do, until its stdin
 * reaches end of file. Prints {@code ready} once it has done its first piece of work and {@code
 * stopped <n>} (n = pieces of work done) at the end; exits 1 on any SQL error.
 *
 * <ul>
 *   <li>{@code writer DB MOD}: a web request or cron script: opens a connection, {@code BEGIN
 *       IMMEDIATE; UPDATE t SET v = v + 1 WHERE id % MOD = 0; COMMIT}, closes it, sleeps 2 ms. Its
 *       last close of a WAL-mode file checkpoints and deletes the -wal unless another process holds
 *       a lock on the file.
 *   <li>{@code checkpointer DB}: {@code PRAGMA wal_checkpoint(TRUNCATE)} in a loop on one
 *       connection (a maintenance job, or an application that checkpoints on its own).
 *   <li>{@code holder DB MOD}: an application that keeps its connection open with automatic
 *       checkpoints off and commits one such update: its content stays in the -wal only.
 *   <li>{@code exclusive DB}: tries once, without waiting, to take the database's write lock
 *       ({@code BEGIN EXCLUSIVE}) and prints {@code got} or {@code busy} instead of {@code ready}.
 * </ul>
 */
public final class HostileNeighbour {
  static final int BUSY_TIMEOUT_MILLIS = 60_000;

  private HostileNeighbour() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    StopSignal stop = StopSignal.onEndOfInput();
    String url = "jdbc:sqlite:" + args[1];
    long done = 0;
    try {
      switch (args[0]) {
        case "writer":
          do {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
              update(s, args[2]);
            }
            if (done++ == 0) {
              out.println("ready");
            }
            Thread.sleep(2);
          } while (!stop.isSet());
          break;
        case "checkpointer":
          try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
            do {
              s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)").close();
              if (done++ == 0) {
                out.println("ready");
              }
              Thread.sleep(1);
            } while (!stop.isSet());
          }
          break;
        case "holder":
          try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_autocheckpoint=0");
            update(s, args[2]);
            done++;
            out.println("ready");
            while (!stop.isSet()) {
              Thread.sleep(5);
            }
          }
          break;
        case "exclusive":
          try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            try {
              s.execute("BEGIN EXCLUSIVE");
              s.execute("ROLLBACK");
              out.println("got");
            } catch (java.sql.SQLException e) {
              out.println(e.getMessage().contains("SQLITE_BUSY") ? "busy" : "error: " + e.getMessage());
            }
          }
          return;
        default:
          throw new IllegalArgumentException("unknown role " + args[0]);
      }
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
      return;
    }
    out.println("stopped " + done);
  }

  private static void update(Statement s, String mod) throws Exception {
    s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
    s.execute("BEGIN IMMEDIATE");
    s.execute("UPDATE t SET v = v + 1 WHERE id % " + Long.parseLong(mod) + " = 0");
    s.execute("COMMIT");
  }
}
