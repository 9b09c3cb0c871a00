package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restore, verify and info through the CLI entry point: exit codes, both streams, JSON shapes. */
class RestoreVerifyInfoCommandTest {
  @TempDir Path dir;
  private Path source;
  private Path backup;

  @BeforeEach
  void backup() throws Exception {
    source = createSample(dir.resolve("app.db"), false, 120);
    backup = dir.resolve("app-backup.db");
    CliRun r = CliRun.of("backup", "-q", source.toString(), backup.toString());
    assertEquals(0, r.exitCode(), r.toString());
  }

  private static JsonObject json(CliRun r) {
    return JsonParser.parseString(r.out()).getAsJsonObject();
  }

  @Test
  void restoreIntoANewFile() throws Exception {
    Path target = dir.resolve("restored.db");
    CliRun r = CliRun.of("restore", backup.toString(), target.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of("restored " + backup + " into " + target + ": "
        + TestDatabases.scalar(backup, "PRAGMA page_count") + " pages"), r.errLines());
    assertEquals(contentDigest(source), contentDigest(target));
  }

  @Test
  void restoreOverAnExistingTargetNeedsForceAndReportsTheSafetyCopyInJson() throws Exception {
    Path target = createSample(dir.resolve("live.db"), true, 5);
    String old = contentDigest(target);
    CliRun refused = CliRun.of("restore", backup.toString(), target.toString());
    assertEquals(1, refused.exitCode(), refused.toString());
    assertEquals(1, refused.errLines().size(), refused.toString());
    assertTrue(refused.err().startsWith("sqlbak: target exists: " + target), refused.toString());
    assertEquals(old, contentDigest(target));

    CliRun forced = CliRun.of("restore", "--force", "--json", "-q", backup.toString(), target.toString());
    assertEquals(0, forced.exitCode(), forced.toString());
    assertEquals("", forced.err());
    JsonObject o = json(forced);
    assertEquals(Set.of("backup", "target", "safetyCopy", "created", "targetWasDamaged", "targetDamage", "pageSize",
        "pageCount", "durationMs", "warnings"), o.keySet());
    assertFalse(o.get("targetWasDamaged").getAsBoolean());
    assertTrue(o.get("targetDamage").isJsonNull());
    assertEquals(0, o.getAsJsonArray("warnings").size());
    assertEquals(target.toString(), o.get("target").getAsString());
    assertFalse(o.get("created").getAsBoolean());
    Path safety = Path.of(o.get("safetyCopy").getAsString());
    assertEquals(old, contentDigest(safety));
    assertEquals(contentDigest(source), contentDigest(target));
  }

  @Test
  void restoreOfABadBackupExits3AndTouchesNothing() throws Exception {
    byte[] bytes = Files.readAllBytes(backup);
    bytes[100] ^= 1;
    Files.write(backup, bytes);
    Path target = createSample(dir.resolve("live.db"), false, 5);
    String before = TestDatabases.sha256(target);
    List<String> files = TestDatabases.listing(dir);
    CliRun r = CliRun.of("restore", "--force", backup.toString(), target.toString());
    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: backup is bad: " + backup), r.toString());
    assertEquals(before, TestDatabases.sha256(target));
    assertEquals(files, TestDatabases.listing(dir));
  }

  @Test
  void restoreUsageErrors() {
    CliRun r = CliRun.of("restore", "--pages", "0", backup.toString(), dir.resolve("t.db").toString());
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("sqlbak: invalid --pages: 0"), r.toString());
    CliRun missingTarget = CliRun.of("restore", backup.toString());
    assertEquals(2, missingTarget.exitCode(), missingTarget.toString());
    assertTrue(missingTarget.errLines().get(0).startsWith("sqlbak: Missing required parameter"), missingTarget.toString());
  }

  @Test
  void verifyGoodBackupSaysOkOnStderrAndNothingElse() {
    CliRun r = CliRun.of("verify", backup.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of(backup + ": ok (sha256, integrity_check)"), r.errLines());
    CliRun quiet = CliRun.of("verify", "-q", backup.toString());
    assertEquals(0, quiet.exitCode(), quiet.toString());
    assertEquals("", quiet.err());
  }

  @Test
  void verifyExitCodesBadBeatsMissingBeatsOk() throws Exception {
    Path missing = dir.resolve("missing.db");
    Path empty = Files.createFile(dir.resolve("empty.db"));
    CliRun onlyMissing = CliRun.of("verify", backup.toString(), missing.toString());
    assertEquals(1, onlyMissing.exitCode(), onlyMissing.toString());
    assertEquals("sqlbak: cannot read backup: " + missing + ": not found", onlyMissing.errLines().get(1));

    CliRun withBad = CliRun.of("verify", missing.toString(), empty.toString(), backup.toString());
    assertEquals(3, withBad.exitCode(), withBad.toString());
    assertEquals(List.of(
        "sqlbak: cannot read backup: " + missing + ": not found",
        "sqlbak: bad backup: " + empty + ": empty file (0 bytes), not a database",
        backup + ": ok (sha256, integrity_check)"), withBad.errLines());
  }

  @Test
  void verifyOfAWalHeaderFileLeavesNothingBesideIt() throws Exception {
    Path walFile = createSample(dir.resolve("wal.db"), true, 50);
    Path folder = Files.createDirectory(dir.resolve("backups"));
    Path copy = TestDatabases.plainCopyOfWalFile(walFile, folder.resolve("copied.db"));
    CliRun r = CliRun.of("verify", copy.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of(copy + ": ok (integrity_check)"), r.errLines());
    assertEquals(List.of("copied.db"), TestDatabases.listing(folder));
  }

  @Test
  void verifyOfAFileWithAHotJournalIsOneBadLineExit3() throws Exception {
    Path crashed = TestDatabases.copyInMidTransaction(source, dir.resolve("crashed.db"));
    CliRun r = CliRun.of("verify", crashed.toString());
    assertEquals(3, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: bad backup: " + crashed + ": has a hot journal (" + crashed
        + "-journal): a writer crashed in mid-transaction"), r.err());
  }

  @Test
  void verifyJsonHasTheDocumentedShape() throws Exception {
    Path missing = dir.resolve("missing.db");
    CliRun r = CliRun.of("verify", "--json", "--check", "quick", "--against", source.toString(),
        "--assert", "SELECT count(*) = 120 FROM users", backup.toString(), missing.toString());
    assertEquals(1, r.exitCode(), r.toString());
    JsonArray results = json(r).getAsJsonArray("results");
    assertEquals(2, results.size());
    JsonObject good = results.get(0).getAsJsonObject();
    assertEquals(Set.of("file", "ok", "status", "problems", "checks", "hint"), good.keySet());
    assertEquals(backup.toString(), good.get("file").getAsString());
    assertTrue(good.get("ok").getAsBoolean());
    assertEquals("ok", good.get("status").getAsString());
    assertEquals(0, good.getAsJsonArray("problems").size());
    assertEquals(4, good.getAsJsonArray("checks").size());
    assertEquals("quick_check", good.getAsJsonArray("checks").get(1).getAsString());
    JsonObject bad = results.get(1).getAsJsonObject();
    assertFalse(bad.get("ok").getAsBoolean());
    assertEquals("unreadable", bad.get("status").getAsString());
    assertEquals("not found", bad.getAsJsonArray("problems").get(0).getAsString());
  }

  @Test
  void verifyAgainstAChangedSourceAndFalseAssertionExit3() throws Exception {
    try (var c = TestDatabases.open(source); var s = c.createStatement()) {
      s.execute("INSERT INTO users(name) VALUES ('new')");
    }
    CliRun against = CliRun.of("verify", "--against", source.toString(), backup.toString());
    assertEquals(3, against.exitCode(), against.toString());
    assertTrue(against.err().startsWith("sqlbak: bad backup: " + backup + ": "), against.toString());
    assertTrue(against.err().contains("rows, the source"), against.toString());

    CliRun assertion = CliRun.of("verify", "--assert", "SELECT count(*) > 1000 FROM users", backup.toString());
    assertEquals(3, assertion.exitCode(), assertion.toString());
    CliRun holds = CliRun.of("verify", "--assert", "SELECT count(*) > 0 FROM users", backup.toString());
    assertEquals(0, holds.exitCode(), holds.toString());
  }

  @Test
  void verifyNeedsAtLeastOneFile() {
    CliRun r = CliRun.of("verify");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("sqlbak: "), r.toString());
  }

  @Test
  void infoPrintsTextOnStdout() throws Exception {
    CliRun r = CliRun.of("info", backup.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().contains("page size:      4096"), r.out());
    assertTrue(r.out().contains("journal mode:   delete"), r.out());
    assertTrue(r.out().contains("  users\t120"), r.out());
    assertTrue(r.out().contains("  audit\t120"), r.out());
  }

  @Test
  void infoJsonHasTheDocumentedKeys() throws Exception {
    CliRun r = CliRun.of("info", "--json", source.toString());
    assertEquals(0, r.exitCode(), r.toString());
    JsonObject o = json(r);
    assertEquals(Set.of("path", "fileSize", "pageSize", "pageCount", "freelistPages", "journalMode", "encoding",
        "userVersion", "applicationId", "schemas", "tables", "compression", "encryption"), o.keySet());
    assertEquals(Files.size(source), o.get("fileSize").getAsLong());
    assertEquals(TestDatabases.scalar(source, "PRAGMA page_count"), o.get("pageCount").getAsLong());
    JsonArray tables = o.getAsJsonArray("tables");
    assertEquals("audit", tables.get(0).getAsJsonObject().get("name").getAsString());
    assertEquals(120, tables.get(0).getAsJsonObject().get("rows").getAsLong());
  }

  @Test
  void infoOnANonDatabaseIsOneLineExit1() throws Exception {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "just notes\n".repeat(100));
    CliRun r = CliRun.of("info", text.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: not a SQLite database: " + text), r.errLines());
    assertEquals("", r.out());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"gzip", "zstd"})
  void aTruncatedCompressedBackupExits3ForVerifyAndRestore(String compression) throws Exception {
    Path big = createSample(dir.resolve("big.db"), false, 3000);
    CliRun made = CliRun.of("backup", "-q", "--json", "--compress", compression, big.toString(), dir.resolve("c.db").toString());
    assertEquals(0, made.exitCode(), made.toString());
    Path compressed = Path.of(json(made).get("destination").getAsString());
    byte[] bytes = Files.readAllBytes(compressed);
    Files.write(compressed, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Files.delete(compressed.resolveSibling(compressed.getFileName() + ".sha256"));

    CliRun verify = CliRun.of("verify", compressed.toString());
    assertEquals(3, verify.exitCode(), verify.toString());
    assertTrue(verify.err().startsWith("sqlbak: bad backup: " + compressed + ": damaged or truncated"), verify.toString());
    CliRun restore = CliRun.of("restore", compressed.toString(), dir.resolve("t.db").toString());
    assertEquals(3, restore.exitCode(), restore.toString());
    assertEquals(1, restore.errLines().size(), restore.toString());
    assertTrue(Files.notExists(dir.resolve("t.db")));
  }

  /** A TMPDIR that does not exist: one line naming the folder and the OS's reason, not the path twice. */
  @Test
  void aMissingTemporaryFolderIsSaidPlainly() throws Exception {
    Path source = createSample(dir.resolve("z.db"), false, 5);
    assertEquals(0, CliRun.of("backup", "-q", "--compress", "zstd", source.toString(),
        dir.resolve("z-copy.db").toString()).exitCode());
    String systemTmp = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", dir.resolve("no-such-tmp").toString());
    CliRun r;
    try {
      r = CliRun.of("info", dir.resolve("z-copy.db.zst").toString());
    } finally {
      System.setProperty("java.io.tmpdir", systemTmp);
    }

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertEquals("sqlbak: cannot make the scratch folder: " + dir.resolve("no-such-tmp")
        .resolve("sqlbak-" + System.getProperty("user.name")) + "; no such file or directory; set TMPDIR to a"
        + " writable folder", r.err().strip());
  }
}
