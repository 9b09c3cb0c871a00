package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.payload.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** list and verify DIR / --latest through the CLI entry point: exit codes, both streams, the JSON shape. */
class ListAndVerifyDirCommandTest {
  private static final Pattern ROW = Pattern.compile(
      "  (\\S+) +(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ) +(\\d+\\.\\d \\w+|\\d+ B) +(.+?) +(none|gzip|zstd) +(sidecar|no sidecar)");

  @TempDir Path dir;
  private Path folder;
  private Path app;
  private Path other;

  @BeforeEach
  void backups() throws Exception {
    folder = Files.createDirectory(dir.resolve("backups"));
    app = createSample(Files.createDirectory(dir.resolve("one")).resolve("app.db"), false, 40);
    other = createSample(Files.createDirectory(dir.resolve("two")).resolve("app.db"), false, 10);
    backup(app.toString(), folder.toString());
    backup("--compress", "gzip", app.toString(), folder.toString());
    backup("--name", "other", other.toString(), folder.toString());
    Files.writeString(folder.resolve("notes.txt"), "not a backup\n");
  }

  private static void backup(String... args) {
    List<String> all = new ArrayList<>(List.of("backup", "-q"));
    all.addAll(List.of(args));
    CliRun r = CliRun.of(all.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.toString());
  }

  /** The backups of app in the folder, newest first. */
  private List<Path> appBackups() throws Exception {
    List<String> names = new ArrayList<>(TestDatabases.listing(folder).stream()
        .filter(n -> n.startsWith("app-") && !n.endsWith(".sha256")).toList());
    names.sort(java.util.Comparator.reverseOrder());
    return names.stream().map(folder::resolve).toList();
  }

  @Test
  void listPrintsATablePerSeriesOnStdout() throws Exception {
    CliRun r = CliRun.of("list", folder.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    List<String> lines = r.out().lines().toList();
    String host = Provenance.thisHost();
    assertEquals("app  " + host + ":" + app.toRealPath() + "  (full)", lines.get(0));
    assertTrue(lines.get(1).contains(".db.gz") && lines.get(1).contains(" gzip "), lines.get(1));
    assertTrue(lines.get(2).contains(".db ") && lines.get(2).contains(" none "), lines.get(2));
    for (String row : List.of(lines.get(1), lines.get(2), lines.get(5))) {
      assertTrue(ROW.matcher(row).matches(), row);
      assertTrue(row.contains(" full ") && row.endsWith(" sidecar"), row);
    }
    assertEquals("", lines.get(3));
    assertEquals("other  " + host + ":" + other.toRealPath() + "  (full)", lines.get(4));
    assertEquals(6, lines.size(), r.out());
  }

  @Test
  void listJsonHasTheDocumentedShape() throws Exception {
    Files.copy(app, folder.resolve("hand-20250101T000000Z.db"));
    CliRun r = CliRun.of("list", "--json", folder.toString());

    assertEquals(0, r.exitCode(), r.toString());
    JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(Set.of("series", "safetyCopies"), root.keySet());
    assertEquals(0, root.getAsJsonArray("safetyCopies").size(), r.out());
    JsonArray series = root.getAsJsonArray("series");
    assertEquals(List.of("app", "hand", "other"), names(series));
    for (JsonElement s : series) {
      assertEquals(Set.of("name", "source", "host", "backups"), s.getAsJsonObject().keySet());
      for (JsonElement b : s.getAsJsonObject().getAsJsonArray("backups")) {
        assertEquals(Set.of("file", "snapshotTime", "bytes", "kind", "compression", "encryption", "sha256"),
            b.getAsJsonObject().keySet());
      }
    }
    JsonObject appSeries = series.get(0).getAsJsonObject();
    assertEquals(app.toRealPath().toString(), appSeries.get("source").getAsString());
    JsonObject gz = appSeries.getAsJsonArray("backups").get(0).getAsJsonObject();
    assertEquals("gzip", gz.get("compression").getAsString());
    assertEquals("full", gz.get("kind").getAsString());
    Path gzFile = folder.resolve(gz.get("file").getAsString());
    assertEquals(Files.size(gzFile), gz.get("bytes").getAsLong());
    assertEquals(TestDatabases.sha256(gzFile), gz.get("sha256").getAsString());

    JsonObject hand = series.get(1).getAsJsonObject();
    assertTrue(hand.get("source").isJsonNull() && hand.get("host").isJsonNull(), hand.toString());
    JsonObject handBackup = hand.getAsJsonArray("backups").get(0).getAsJsonObject();
    assertEquals("2025-01-01T00:00:00Z", handBackup.get("snapshotTime").getAsString());
    assertTrue(handBackup.get("kind").isJsonNull() && handBackup.get("sha256").isJsonNull(), handBackup.toString());
    assertEquals("none", handBackup.get("compression").getAsString());
  }

  /**
   * Restore's safety copies pile up beside their targets: list shows them apart from the series
   * (text and --json, --stem by the target's stem), and prune never touches them.
   */
  @Test
  void listShowsRestoresSafetyCopiesApartAndPruneLeavesThem() throws Exception {
    Path target = createSample(folder.resolve("app.db"), false, 3);
    for (int i = 0; i < 2; i++) {
      CliRun restored = CliRun.of("restore", "-f", "-q", appBackups().get(0).toString(), target.toString());
      assertEquals(0, restored.exitCode(), restored.toString());
    }
    List<String> copies = TestDatabases.listing(folder).stream().filter(n -> n.contains(".pre-restore-")).toList();
    assertEquals(2, copies.size(), "one safety copy per restore: " + copies);

    CliRun text = CliRun.of("list", folder.toString());
    assertEquals(0, text.exitCode(), text.toString());
    assertEquals("", text.err());
    List<String> lines = text.out().lines().toList();
    assertEquals(10, lines.size(), text.out());
    assertEquals("", lines.get(6));
    assertEquals("safety copies  (restore's saved previous contents; remove each once its restore is known good)",
        lines.get(7));
    java.util.regex.Pattern row = java.util.regex.Pattern.compile(
        "  (app\\.db\\.pre-restore-\\d{8}T\\d{6}Z)  (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ) +(\\d+\\.\\d KiB)");
    List<String> listed = new ArrayList<>();
    for (String line : lines.subList(8, 10)) {
      java.util.regex.Matcher m = row.matcher(line);
      assertTrue(m.matches(), line);
      listed.add(m.group(1));
    }
    assertEquals(copies.stream().sorted(java.util.Comparator.reverseOrder()).toList(), listed, "newest first");

    CliRun json = CliRun.of("list", "--json", "--stem", "app", folder.toString());
    JsonArray safety = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("safetyCopies");
    assertEquals(2, safety.size(), json.out());
    JsonObject newest = safety.get(0).getAsJsonObject();
    assertEquals(Set.of("file", "target", "savedAt", "bytes"), newest.keySet());
    assertEquals(listed.get(0), newest.get("file").getAsString());
    assertEquals("app.db", newest.get("target").getAsString());
    assertEquals(Files.size(folder.resolve(listed.get(0))), newest.get("bytes").getAsLong());
    java.time.Instant saved = java.time.Instant.parse(newest.get("savedAt").getAsString());
    assertTrue(listed.get(0).endsWith(dev.sqlbak.retention.BackupNames.STAMP.format(saved)), newest.toString());
    CliRun otherStem = CliRun.of("list", "--json", "--stem", "other", folder.toString());
    assertEquals(0, JsonParser.parseString(otherStem.out()).getAsJsonObject().getAsJsonArray("safetyCopies").size());

    CliRun pruned = CliRun.of("prune", "-q", "--keep-last", "1", folder.toString());
    assertEquals(0, pruned.exitCode(), pruned.toString());
    assertEquals(copies, TestDatabases.listing(folder).stream().filter(n -> n.contains(".pre-restore-")).toList(),
        "prune never touches safety copies");
  }

  @Test
  void listStemAndAnEmptyFolder() throws Exception {
    CliRun one = CliRun.of("list", "--stem", "other", folder.toString());
    assertEquals(0, one.exitCode(), one.toString());
    assertTrue(one.out().startsWith("other  "), one.out());
    assertEquals(2, one.out().lines().count(), one.out());

    Path empty = Files.createDirectory(dir.resolve("empty"));
    CliRun none = CliRun.of("list", "--json", empty.toString());
    assertEquals(0, none.exitCode(), none.toString());
    assertEquals("{\"series\":[],\"safetyCopies\":[]}", none.out().strip());
    assertEquals(List.of("sqlbak: warning: no backups in " + empty), none.errLines());
  }

  @Test
  void listOfAMissingFolderOrAFileFailsInOneLine() {
    Path missing = dir.resolve("nope");
    CliRun r = CliRun.of("list", missing.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: directory not found: " + missing), r.errLines());
    assertEquals("", r.out());

    CliRun file = CliRun.of("list", app.toString());
    assertEquals(1, file.exitCode(), file.toString());
    assertEquals(List.of("sqlbak: not a directory: " + app + "; name the folder that holds the backups"),
        file.errLines());
  }

  @Test
  void verifyDirChecksEveryBackupAndLatestOnlyTheNewestOfEachSeries() throws Exception {
    List<Path> apps = appBackups();
    CliRun all = CliRun.of("verify", folder.toString());
    assertEquals(0, all.exitCode(), all.toString());
    assertEquals(3, all.errLines().size(), all.toString());
    assertTrue(all.errLines().get(0).startsWith(apps.get(0) + ": ok ("), all.toString());
    assertTrue(all.errLines().get(1).startsWith(apps.get(1) + ": ok ("), all.toString());

    // Damage the older app backup: verify DIR finds it, --latest does not look at it.
    byte[] bytes = Files.readAllBytes(apps.get(1));
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(apps.get(1), bytes);

    CliRun every = CliRun.of("verify", "-q", folder.toString());
    assertEquals(3, every.exitCode(), every.toString());
    assertEquals(1, every.errLines().size(), every.toString());
    assertTrue(every.err().startsWith("sqlbak: bad backup: " + apps.get(1) + ": sha256 mismatch"), every.toString());

    CliRun latest = CliRun.of("verify", "--latest", folder.toString());
    assertEquals(0, latest.exitCode(), latest.toString());
    assertEquals(2, latest.errLines().size(), latest.toString());
    assertTrue(latest.errLines().get(0).startsWith(apps.get(0) + ": ok ("), latest.toString());
    assertTrue(latest.errLines().get(1).startsWith(folder.resolve("other-").toString()), latest.toString());
  }

  @Test
  void verifyOfAFolderWithoutBackupsFailsAndLatestNeedsAFolder() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Files.writeString(empty.resolve("readme.txt"), "nothing here\n");
    CliRun none = CliRun.of("verify", "-q", "--latest", empty.toString());
    assertEquals(1, none.exitCode(), none.toString());
    assertEquals(1, none.errLines().size(), none.toString());
    assertTrue(none.err().startsWith("sqlbak: no backups found: " + empty + "; "), none.toString());

    CliRun missing = CliRun.of("verify", "--latest", folder.toString(), dir.resolve("nope").toString());
    assertEquals(1, missing.exitCode(), missing.toString());
    assertEquals("sqlbak: cannot read backup: " + dir.resolve("nope") + ": not found",
        missing.errLines().get(missing.errLines().size() - 1));

    CliRun files = CliRun.of("verify", "--latest", appBackups().get(0).toString());
    assertEquals(2, files.exitCode(), files.toString());
    assertTrue(files.err().startsWith("sqlbak: --latest needs a folder: "), files.toString());
  }

  @Test
  void aFailedCheckSaysTheSourceMayBeDamagedToo() throws Exception {
    Path damaged = TestDatabases.createWithIndexDamage(dir.resolve("damaged.db"));
    Path out = Files.createDirectory(dir.resolve("quick"));
    backup("--check", "quick", damaged.toString(), out.toString());

    CliRun r = CliRun.of("verify", out.toString());

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: bad backup: " + out.resolve("damaged-").toString()), r.toString());
    assertTrue(r.err().contains("missing from index i"), r.toString());
    assertTrue(r.err().contains("; the damage may be in the source too (a backup made with --check quick"),
        r.toString());
  }

  private static List<String> names(JsonArray series) {
    List<String> names = new ArrayList<>();
    series.forEach(s -> names.add(s.getAsJsonObject().get("name").getAsString()));
    return names;
  }
}
