package dev.sqlbak.cli;

import static dev.sqlbak.BackupFolders.writeGood;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.BackupFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prune through the CLI entry point: exit codes, the lines on stderr, the JSON shape. */
class PruneCommandTest {
  @TempDir Path dir;

  private static String name(int day) {
    return BackupFolders.name("app", LocalDateTime.of(2026, 11, day, 3, 0), ".db");
  }

  /** Four daily backups of app with sidecars, and a file that is not a backup. */
  @BeforeEach
  void backups() throws Exception {
    for (int day = 1; day <= 4; day++) {
      writeGood(dir, name(day), true);
    }
    Files.writeString(dir.resolve("notes.txt"), "hands off\n");
  }

  private Path at(int day) {
    return dir.resolve(name(day));
  }

  @Test
  void aFolderWithoutBackupsIsWarnedAboutAsListDoes() throws Exception {
    java.nio.file.Path empty = java.nio.file.Files.createDirectory(dir.resolve("empty"));
    CliRun r = CliRun.of("prune", "--keep-last", "1", empty.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: warning: no backups in " + empty), r.errLines());
    assertEquals("", r.out());
  }

  @Test
  void removesAndSaysSoOneLinePerFile() throws Exception {
    CliRun r = CliRun.of("prune", "--keep-last", "2", dir.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of("removed " + at(1), "removed " + at(1) + ".sha256", "removed " + at(2),
        "removed " + at(2) + ".sha256"), r.errLines());
    assertEquals(List.of(name(3), name(3) + ".sha256", name(4), name(4) + ".sha256", "notes.txt"), listing(dir));
  }

  @Test
  void dryRunSaysWouldRemoveAndRemovesNothing() throws Exception {
    List<String> before = listing(dir);
    CliRun r = CliRun.of("prune", "--dry-run", "--keep-daily", "3", dir.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of("would remove " + at(1), "would remove " + at(1) + ".sha256"), r.errLines());
    assertEquals(before, listing(dir));
  }

  @Test
  void quietSaysNothingButStillRemoves() throws Exception {
    CliRun r = CliRun.of("prune", "-q", "--keep-weekly", "2", "--stem", "app", dir.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out() + r.err());
    // 1 to 4 Nov 2026 are Sunday to Wednesday: the Sunday ends the week before.
    assertEquals(List.of(name(1), name(1) + ".sha256", name(4), name(4) + ".sha256", "notes.txt"), listing(dir));
  }

  @Test
  void jsonHasTheDocumentedShape() throws Exception {
    Files.createFile(dir.resolve(name(5))); // newest by name, but 0 bytes: not a good backup
    CliRun r = CliRun.of("prune", "--json", "-q", "--keep-last", "1", "--keep-monthly", "0", dir.toString());
    assertEquals(0, r.exitCode(), r.toString());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(Set.of("dir", "dryRun", "stems"), o.keySet());
    assertEquals(dir.toString(), o.get("dir").getAsString());
    assertEquals(false, o.get("dryRun").getAsBoolean());
    JsonArray stems = o.getAsJsonArray("stems");
    assertEquals(1, stems.size());
    JsonObject app = stems.get(0).getAsJsonObject();
    assertEquals(Set.of("stem", "kept", "removed", "newestGood"), app.keySet());
    assertEquals("app", app.get("stem").getAsString());
    assertEquals(List.of(at(4).toString(), at(5).toString()), strings(app.getAsJsonArray("kept")));
    assertEquals(List.of(at(1).toString(), at(1) + ".sha256", at(2).toString(), at(2) + ".sha256",
        at(3).toString(), at(3) + ".sha256"), strings(app.getAsJsonArray("removed")));
    assertEquals(at(4).toString(), app.get("newestGood").getAsString());
    // The bad newest backup is worth a warning even under --quiet.
    assertEquals(List.of("sqlbak: warning: the newest backup of stem app, " + at(5) + ", fails a quick check; "
        + at(4) + ", the newest that passes, is kept too"), r.errLines());
  }

  @Test
  void jsonOfAnEmptyFolderAndOfADryRun() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    CliRun none = CliRun.of("prune", "--json", "--keep-last", "1", empty.toString());
    assertEquals(0, none.exitCode(), none.toString());
    assertEquals(JsonParser.parseString("{\"dir\": \"" + empty + "\", \"dryRun\": false, \"stems\": []}"),
        JsonParser.parseString(none.out()));

    CliRun dry = CliRun.of("prune", "--json", "--dry-run", "--keep-last", "3", dir.toString());
    JsonObject o = JsonParser.parseString(dry.out()).getAsJsonObject();
    assertEquals(true, o.get("dryRun").getAsBoolean());
    JsonObject app = o.getAsJsonArray("stems").get(0).getAsJsonObject();
    assertEquals(List.of(at(1).toString(), at(1) + ".sha256"), strings(app.getAsJsonArray("removed")));
    assertEquals(List.of("would remove " + at(1), "would remove " + at(1) + ".sha256"), dry.errLines());
    assertEquals(List.of(name(1), name(1) + ".sha256", name(2), name(2) + ".sha256", name(3),
        name(3) + ".sha256", name(4), name(4) + ".sha256", "empty", "notes.txt"), listing(dir));
  }

  @Test
  void warnsWhenNoBackupPassesAndWhenTheStemHasNoBackups() throws Exception {
    Path bad = Files.createDirectory(dir.resolve("bad"));
    Files.writeString(bad.resolve(name(1)), "not a database");
    CliRun r = CliRun.of("prune", "-q", "--keep-last", "1", bad.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: warning: no backup of stem app in " + bad
        + " passes a quick check; only the --keep-* rules decided what stays"), r.errLines());

    CliRun typo = CliRun.of("prune", "--keep-last", "1", "--stem", "ap", dir.toString());
    assertEquals(0, typo.exitCode(), typo.toString());
    assertEquals(List.of("sqlbak: warning: no backups of stem ap in " + dir), typo.errLines());
  }

  @Test
  void aMissingDirIsAFailureOfOneLine() throws Exception {
    Path missing = dir.resolve("missing");
    CliRun r = CliRun.of("prune", "--keep-last", "1", missing.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: directory not found: " + missing), r.errLines());
    assertEquals("", r.out());
    assertTrue(Files.notExists(missing));
  }

  @Test
  void usageErrorsExit2AndTouchNothing() throws Exception {
    Map<List<String>, String> cases = Map.of(
        List.of("prune", dir.toString()),
        "sqlbak: no retention rule: give at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly",
        List.of("prune", "--keep-last", "-1", dir.toString()), "sqlbak: invalid --keep-last: -1; use a count of 0 or more",
        List.of("prune", "--keep-daily", "abc", dir.toString()), "sqlbak: Invalid value for option '--keep-daily'",
        List.of("prune", "--keep-monthly", "1.5", dir.toString()), "sqlbak: Invalid value for option '--keep-monthly'",
        List.of("prune", "--keep-last", "1"), "sqlbak: Missing required parameter: 'DIR'",
        List.of("prune", "--keep-last", "1", "--stem", "", dir.toString()), "sqlbak: invalid --stem: ''",
        List.of("prune", "--keep-yearly", "1", dir.toString()), "sqlbak: Unknown options: '--keep-yearly'");
    List<String> before = listing(dir);
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      CliRun r = CliRun.of(c.getKey().toArray(String[]::new));
      assertEquals(2, r.exitCode(), c.getKey() + "\n" + r);
      assertTrue(r.errLines().get(0).startsWith(c.getValue()), c.getKey() + "\n" + r);
      assertEquals("Try 'sqlbak prune --help' for more information.", r.errLines().get(r.errLines().size() - 1),
          c.getKey() + "\n" + r);
      assertEquals("", r.out());
    }
    assertEquals(before, listing(dir));
  }

  @Test
  void helpShowsEveryOption() {
    CliRun r = CliRun.of("help", "prune");
    assertEquals(0, r.exitCode(), r.toString());
    String help = r.out().replaceAll("\\s+", " ");
    for (String option : new String[] {"--keep-last", "--keep-daily", "--keep-weekly", "--keep-monthly", "--stem",
        "--dry-run", "--json", "--quiet", "--verbose", "Exit codes:"}) {
      assertTrue(help.contains(option), option + " missing from:\n" + r.out());
    }
  }

  private static List<String> strings(JsonArray array) {
    List<String> values = new ArrayList<>();
    for (JsonElement e : array) {
      values.add(e.getAsString());
    }
    return values;
  }
}
