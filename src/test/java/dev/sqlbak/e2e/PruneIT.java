package dev.sqlbak.e2e;

import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built {@code target/sqlbak prune} as a real process: a real compressed backup, then retention around it. */
class PruneIT {
  @TempDir Path dir;

  /** One finished run of the launcher: exit code and both streams. */
  private record Run(int exitCode, String out, String err) {}

  private static Run sqlbak(String... args) throws Exception {
    String launcher = System.getProperty("sqlbak.launcher");
    assertNotNull(launcher, "failsafe passes sqlbak.launcher, the path of target/sqlbak");
    List<String> command = new ArrayList<>(List.of(launcher));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("sqlbak-out", ".txt");
    Path err = Files.createTempFile("sqlbak-err", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sqlbak " + String.join(" ", args) + " did not finish");
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String name(LocalDate day, int hour) {
    return BackupFolders.name("shop", day.atTime(hour, 0), ".db");
  }

  @Test
  void pruneKeepsTheRulesAndTheFreshBackupAndNothingElseGoes() throws Exception {
    Path backups = Files.createDirectory(dir.resolve("backups"));
    Path source = TestDatabases.createSample(dir.resolve("shop.db"), true, 50);
    Run backup = sqlbak("backup", "-q", "--compress", "gzip", source.toString(), backups.toString());
    assertEquals(0, backup.exitCode(), backup.err());
    List<String> fresh = listing(backups); // shop-<now>.db.gz and its sidecar
    assertEquals(2, fresh.size(), fresh.toString());
    // Older backups of the same stem: two a day, 6 to 10 days ago.
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (int daysAgo = 6; daysAgo <= 10; daysAgo++) {
      for (int hour : new int[] {3, 15}) {
        BackupFolders.writeGood(backups, name(today.minusDays(daysAgo), hour), true);
      }
    }
    Files.writeString(backups.resolve("notes.txt"), "hands off\n");
    BackupFolders.writeGood(backups, "other-20200101T000000Z.db", false);

    Run prune = sqlbak("prune", "--keep-daily", "3", "--json", backups.toString());

    assertEquals(0, prune.exitCode(), prune.err());
    // The 3 most recent days with backups are today (the fresh one), 6 and 7 days ago; each keeps its newest.
    String sixDaysAgo = name(today.minusDays(6), 15);
    String sevenDaysAgo = name(today.minusDays(7), 15);
    List<String> expected = new ArrayList<>(List.of(sixDaysAgo, sixDaysAgo + ".sha256", sevenDaysAgo,
        sevenDaysAgo + ".sha256", "notes.txt", "other-20200101T000000Z.db"));
    expected.addAll(fresh);
    expected.sort(null);
    assertEquals(expected, listing(backups));
    JsonObject o = JsonParser.parseString(prune.out()).getAsJsonObject();
    List<String> stems = new ArrayList<>();
    o.getAsJsonArray("stems").forEach(s -> stems.add(s.getAsJsonObject().get("stem").getAsString()));
    assertEquals(List.of("other", "shop"), stems);
    // The fresh compressed backup passes the quick check (read through gzip): no warning, only removals.
    assertEquals(16, prune.err().lines().count(), prune.err());
    assertEquals(16, prune.err().lines().filter(l -> l.startsWith("removed " + backups)).count(), prune.err());
    JsonObject shop = o.getAsJsonArray("stems").get(1).getAsJsonObject();
    assertEquals(backups.resolve(fresh.get(0)).toString(), shop.get("newestGood").getAsString());
  }

  @Test
  void exitCodesOfARealProcess() throws Exception {
    Run missing = sqlbak("prune", "--keep-last", "1", dir.resolve("missing").toString());
    assertEquals(1, missing.exitCode());
    assertEquals("sqlbak: directory not found: " + dir.resolve("missing") + "\n", missing.err());
    assertEquals("", missing.out());

    Run noRule = sqlbak("prune", dir.toString());
    assertEquals(2, noRule.exitCode());
    assertTrue(noRule.err().startsWith("sqlbak: no retention rule: "), noRule.err());
  }
}
