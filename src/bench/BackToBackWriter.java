import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Benchmark writer: commits one small transaction after another, with no pause, until a stop file
 * appears, and logs each transaction as "endEpochMicros latencyMicros" (latency = BEGIN to the end
 * of COMMIT, what an application would wait). Run by bench.sh with sqlbak's own jar on the class
 * path (it carries the sqlite-jdbc driver):
 *
 * <pre>java -cp target/sqlbak src/bench/BackToBackWriter.java DB LOG STOPFILE</pre>
 */
public final class BackToBackWriter {
  public static void main(String[] args) throws Exception {
    Path stop = Path.of(args[2]);
    long commits = 0;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]);
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(Path.of(args[1])))) {
      try (Statement s = c.createStatement()) {
        // The backup blocks a rollback-journal writer for the whole copy: wait, do not fail.
        s.execute("PRAGMA busy_timeout=120000");
        s.execute("CREATE TABLE IF NOT EXISTS bench_writer(id INTEGER PRIMARY KEY, at INTEGER, note TEXT)");
      }
      c.setAutoCommit(false);
      long lastCheck = System.nanoTime();
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO bench_writer(at, note) VALUES (?, ?)")) {
        while (true) {
          long t0 = System.nanoTime();
          insert.setLong(1, System.currentTimeMillis());
          insert.setString(2, "commit " + commits);
          insert.executeUpdate();
          c.commit();
          long t1 = System.nanoTime();
          commits++;
          java.time.Instant end = java.time.Instant.now();
          long endMicros = end.getEpochSecond() * 1_000_000 + end.getNano() / 1000;
          log.println(endMicros + " " + (t1 - t0) / 1000);
          if (t1 - lastCheck > 50_000_000L) {
            lastCheck = t1;
            if (Files.exists(stop)) {
              break;
            }
          }
        }
      }
    }
    System.err.println("BackToBackWriter: " + commits + " commits");
  }
}
