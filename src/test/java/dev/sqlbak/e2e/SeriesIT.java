package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history a backup folder keeps is the history asked for, with the built sqlbak as a real
 * process: the findings of issue 17 (same-named databases, a partial backup beside full ones, a
 * backup dated in the future), each as a user would meet it.
 */
class SeriesIT {
  @TempDir Path dir;

  private List<String> backups(Path folder) throws Exception {
    return TestDatabases.listing(folder).stream().filter(n -> !n.endsWith(".sha256")).toList();
  }

  @Test
  void twoInstallsWhoseDatabasesShareANameKeepTheirOwnBackups() throws Exception {
    Path siteA = TestDatabases.createSample(Files.createDirectories(dir.resolve("siteA")).resolve("db.sqlite3"),
        true, 30);
    Path siteB = TestDatabases.createSample(Files.createDirectories(dir.resolve("siteB")).resolve("db.sqlite3"),
        true, 40);
    Path out = Files.createDirectory(dir.resolve("backups"));
    Sqlbak.Result a = Sqlbak.run(dir, "backup", "-q", "--keep-last", "1", "siteA/db.sqlite3", "backups/");
    assertEquals(0, a.exitCode(), a.toString());
    List<String> siteABackups = backups(out);

    Sqlbak.Result b = Sqlbak.run(dir, "backup", "-q", "--keep-last", "1", "siteB/db.sqlite3", "backups/");
    assertEquals(1, b.exitCode(), b.toString());
    assertEquals(1, b.stderrLines().size(), b.toString());
    assertTrue(b.stderrLines().get(0).contains(siteA.toRealPath().toString()), b.toString());
    assertEquals(siteABackups, backups(out), "siteA's backup must survive siteB's run");

    Sqlbak.Result named = Sqlbak.run(dir, "backup", "-q", "--name", "siteB", "--keep-last", "1",
        "siteB/db.sqlite3", "backups/");
    assertEquals(0, named.exitCode(), named.toString());
    List<String> all = backups(out);
    assertEquals(2, all.size(), all.toString());
    assertTrue(all.containsAll(siteABackups), all.toString());
    assertEquals(40, TestDatabases.scalar(out.resolve(all.stream().filter(n -> n.startsWith("siteB-"))
        .findFirst().orElseThrow()), "SELECT count(*) FROM users"));
  }

  @Test
  void aPartialBackupWithKeepLastOneLeavesTheFullBackups() throws Exception {
    TestDatabases.createSample(dir.resolve("app.db"), false, 50);
    Path out = Files.createDirectory(dir.resolve("backups"));
    for (int i = 0; i < 2; i++) {
      assertEquals(0, Sqlbak.run(dir, "backup", "-q", "app.db", "backups/").exitCode());
    }
    List<String> full = backups(out);
    Sqlbak.Result partial = Sqlbak.run(dir, "backup", "-q", "--table", "users", "--keep-last", "1", "app.db",
        "backups/");
    assertEquals(0, partial.exitCode(), partial.toString());
    List<String> after = backups(out);
    assertEquals(3, after.size(), after.toString());
    assertTrue(after.containsAll(full), "the partial run pruned full backups: " + after);
  }

  @Test
  void aBackupFromTheFutureNeitherDragsNamesNorEatsTheNewBackups() throws Exception {
    TestDatabases.createSample(dir.resolve("app.db"), false, 20);
    Path out = Files.createDirectory(dir.resolve("backups"));
    String future = BackupFolders.name("app", LocalDateTime.of(2030, 12, 31, 0, 0), ".db");
    BackupFolders.writeGood(out, future, true);
    for (int run = 0; run < 3; run++) {
      Sqlbak.Result r = Sqlbak.run(dir, "backup", "--keep-daily", "7", "--keep-weekly", "4", "app.db", "backups/");
      assertEquals(0, r.exitCode(), r.toString());
      assertTrue(r.stderr().contains("sqlbak: warning: ") && r.stderr().contains(future), r.toString());
      List<String> now = backups(out);
      assertTrue(now.contains(future), now.toString());
      assertEquals(2, now.size(), "the future file and this run's backup: " + now);
      String fresh = now.stream().filter(n -> !n.equals(future)).findFirst().orElseThrow();
      assertTrue(fresh.startsWith("app-20") && fresh.compareTo(future) < 0, fresh);
      assertTrue(r.stderr().contains(fresh), "the run must name the backup it made: " + r);
    }
  }

  /**
   * The README's cron line, as written (only sqlbak, the database and the folder replaced by this
   * test's), run twice by a real shell; then {@code list} and {@code verify} of the folder in both
   * output forms, and the cron line's verify after the newest backup was damaged.
   */
  @Test
  void theReadmeCronLineBacksUpAndVerifiesAndListAndVerifyShowTheFolder() throws Exception {
    String cron = Files.readAllLines(Path.of("README.md")).stream()
        .filter(l -> l.trim().startsWith("0 3 * * *")).findFirst().orElseThrow().trim();
    String command = cron.split("\\s+", 6)[5];
    TestDatabases.createSample(dir.resolve("app.db"), true, 60);
    Path out = Files.createDirectory(dir.resolve("backups"));
    String asHere = command.replace("/srv/app.db", dir.resolve("app.db").toString())
        .replace("/backups/", out + "/").replace("sqlbak ", Sqlbak.launcher() + " ");
    for (int night = 0; night < 2; night++) {
      Process p = new ProcessBuilder("bash", "-c", asHere).directory(dir.toFile()).redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), asHere + "\n" + said);
      assertEquals("", said, "cron would mail this: " + said);
    }
    // Two runs on one day: --keep-daily keeps the newest of the day, the second run's.
    List<String> made = backups(out);
    assertEquals(1, made.size(), made.toString());
    assertTrue(made.stream().allMatch(n -> n.endsWith(".db.zst")), made.toString());

    Sqlbak.Result list = Sqlbak.run(dir, "list", "backups");
    assertEquals(0, list.exitCode(), list.toString());
    assertTrue(list.stdout().contains(dir.resolve("app.db").toRealPath().toString()), list.toString());
    for (String name : made) {
      assertTrue(list.stdout().contains(name), list.toString());
    }
    Sqlbak.Result json = Sqlbak.run(dir, "list", "--json", "backups");
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(json.stdout()).getAsJsonObject();
    com.google.gson.JsonArray series = o.getAsJsonArray("series");
    assertEquals(1, series.size(), json.stdout());
    assertEquals(1, series.get(0).getAsJsonObject().getAsJsonArray("backups").size(), json.stdout());
    assertEquals("zstd", series.get(0).getAsJsonObject().getAsJsonArray("backups").get(0).getAsJsonObject()
        .get("compression").getAsString());

    Sqlbak.Result all = Sqlbak.run(dir, "verify", "--json", "backups");
    assertEquals(0, all.exitCode(), all.toString());
    assertEquals(1, com.google.gson.JsonParser.parseString(all.stdout()).getAsJsonObject()
        .getAsJsonArray("results").size(), all.stdout());

    // The newest backup damaged after it was written: the cron line's verify must say so.
    String newest = made.stream().sorted().reduce((a, b) -> b).orElseThrow();
    byte[] bytes = Files.readAllBytes(out.resolve(newest));
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(out.resolve(newest), bytes);
    Sqlbak.Result latest = Sqlbak.run(dir, "verify", "-q", "--latest", "backups/");
    assertEquals(3, latest.exitCode(), latest.toString());
    assertEquals(1, latest.stderrLines().size(), latest.toString());
    assertTrue(latest.stderrLines().get(0).startsWith("sqlbak: ") && latest.stderr().contains(newest),
        latest.toString());
  }

  /** Two cron jobs of two installs whose databases share a name, started at once into one new folder. */
  @Test
  void twoSourcesStartedAtOnceNeverMixUnderOneName() throws Exception {
    TestDatabases.createSample(Files.createDirectories(dir.resolve("siteA")).resolve("db.sqlite3"), true, 300);
    TestDatabases.createSample(Files.createDirectories(dir.resolve("siteB")).resolve("db.sqlite3"), true, 300);
    for (int round = 0; round < 4; round++) {
      Path out = Files.createDirectory(dir.resolve("backups" + round));
      Sqlbak.Result a;
      Sqlbak.Result b;
      try (Sqlbak.Running ra = Sqlbak.start(dir, "backup", "-q", "siteA/db.sqlite3", out.toString());
          Sqlbak.Running rb = Sqlbak.start(dir, "backup", "-q", "siteB/db.sqlite3", out.toString())) {
        a = ra.waitFor(Sqlbak.DEFAULT_TIMEOUT);
        b = rb.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      }
      assertEquals(1, a.exitCode() + b.exitCode(), "exactly one run refused; round " + round + ": " + a + b);
      java.util.Set<String> sources = new java.util.TreeSet<>();
      for (String name : TestDatabases.listing(out)) {
        if (name.endsWith(".sha256")) {
          Files.readAllLines(out.resolve(name)).stream().filter(l -> l.startsWith("# source: ")).forEach(sources::add);
        }
      }
      assertEquals(1, sources.size(), "round " + round + ": " + sources);
      assertEquals(1, backups(out).size(), TestDatabases.listing(out).toString());
    }
  }
}
