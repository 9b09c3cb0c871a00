package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore into a rollback-journal TARGET that two other processes read back to back, each read
 * transaction going through the whole database (a reporting job): SQLite's PENDING lock lets the
 * restore's commit in once the current readers finish, so every restore must finish within its
 * busy timeout, and the readers never fail.
 */
class RestoreUnderReadersIT {
  static final int RUNS = FaultTrials.count("sqlbak.e2e.readerRestores", 6, 30);
  static final RestoreIT.Content OLD = new RestoreIT.Content(10_000, 1, "old", 3);
  static final RestoreIT.Content NEW = new RestoreIT.Content(12_000, 3, "new", 3);

  @TempDir Path dir;

  @Test
  void continuousReadersNeverStarveARestore() throws Exception {
    Path target = RestoreIT.createContent(dir.resolve("target.db"), false, OLD);
    Path[] backups = {dir.resolve("old-backup.db"), dir.resolve("new-backup.db")};
    RestoreIT.createContent(dir.resolve("new.db"), false, NEW);
    for (String[] pair : new String[][] {{"target.db", "old-backup.db"}, {"new.db", "new-backup.db"}}) {
      Sqlbak.Result b = Sqlbak.run(dir, "backup", "-q", pair[0], pair[1]);
      assertEquals(0, b.exitCode(), b.describe());
    }
    String[] fingerprints = {OLD.fingerprint(), NEW.fingerprint()};
    List<String> outcomes = new ArrayList<>();
    int failed = 0;
    try (ReaderProcess.Handle a = ReaderProcess.start(target, 0, "whole");
        ReaderProcess.Handle b = ReaderProcess.start(target, 0, "whole")) {
      a.awaitLine(10, l -> true, Duration.ofSeconds(60));
      b.awaitLine(10, l -> true, Duration.ofSeconds(60));
      for (int run = 0; run < RUNS; run++) {
        int restoring = (run + 1) % 2;
        long t0 = System.nanoTime();
        Sqlbak.Result r = Sqlbak.run(dir, "restore", "--force", "--no-safety-copy", "--pages", "5",
            "--busy-timeout", "5s", backups[restoring].toString(), "target.db");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        outcomes.add("run " + run + ": exit " + r.exitCode() + " in " + millis + " ms"
            + (r.exitCode() == 0 ? "" : ": " + r.stderr().strip()));
        if (r.exitCode() != 0) {
          failed++;
          continue;
        }
        // Both readers must come to see the new content, in the transaction after the commit.
        int from = a.lines.size();
        a.awaitLine(from, fingerprints[restoring]::equals, Duration.ofSeconds(30));
        from = b.lines.size();
        b.awaitLine(from, fingerprints[restoring]::equals, Duration.ofSeconds(30));
      }
      int readsA = a.lines.size();
      int readsB = b.lines.size();
      assertEquals(0, a.stop(), "reader a failed: " + a.lines.get(a.lines.size() - 1));
      assertEquals(0, b.stop(), "reader b failed: " + b.lines.get(b.lines.size() - 1));
      System.out.println("RestoreUnderReadersIT: " + RUNS + " restores under two continuous readers (" + readsA
          + " and " + readsB + " whole-database reads):\n  " + String.join("\n  ", outcomes));
    }
    assertEquals(0, failed, "restores that the readers starved: " + outcomes);
    assertEquals("ok", TestDatabases.integrityCheck(target));
    assertTrue(TestDatabases.listing(dir).stream().noneMatch(n -> n.startsWith("target.db-")),
        "nothing beside TARGET: " + TestDatabases.listing(dir));
  }
}
