package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sqlbak backup} succeeding through the CLI entry point: what each destination gets and exactly
 * what each stream says; refusals and failures are in {@link BackupCommandFailuresTest}.
 */
class BackupCommandTest {
  private static final Pattern PROGRESS = Pattern.compile("copied (\\d+) of (\\d+) pages");

  @TempDir Path dir;
  private Path source;
  private String src;

  @BeforeEach
  void sample() throws Exception {
    source = createSample(dir.resolve("app.db"), true, 400);
    src = source.toString();
  }

  @Test
  void successSaysWhereTheBackupWentOnStderrAndNothingOnStdout() throws Exception {
    Path dest = dir.resolve("b.db");
    CliRun r = CliRun.of("backup", src, dest.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("backed up " + src + " to " + dest + ": "), r.toString());
    assertTrue(r.err().contains("quick_check ok"), r.toString());
    assertEquals(contentDigest(source), contentDigest(dest));
  }

  @Test
  void quietSaysNothingAtAll() throws Exception {
    CliRun r = CliRun.of("backup", "-q", "--progress", "plain", src, dir.resolve("b.db").toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals("", r.err());
    assertTrue(Files.exists(dir.resolve("b.db")));
  }

  @Test
  void plainProgressPrintsOneLinePerStepNeverGoingDown() throws Exception {
    long pages = TestDatabases.scalar(source, "PRAGMA page_count");
    CliRun r = CliRun.of("backup", "--pages", "5", "--progress", "plain", src, dir.resolve("b.db").toString());
    assertEquals(0, r.exitCode(), r.toString());
    List<String> lines = r.errLines().stream().filter(l -> l.startsWith("copied ")).toList();
    assertEquals((pages + 4) / 5, lines.size(), r.toString());
    long last = 0;
    for (String line : lines) {
      Matcher m = PROGRESS.matcher(line);
      assertTrue(m.matches(), line);
      long x = Long.parseLong(m.group(1));
      assertTrue(x > last, r.toString());
      assertEquals(pages, Long.parseLong(m.group(2)));
      last = x;
    }
    assertEquals(pages, last);
  }

  @Test
  void progressAutoDrawsNothingWhenNotOnATerminal() {
    CliRun r = CliRun.of("backup", "--pages", "5", src, dir.resolve("b.db").toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertFalse(r.err().contains("copied"), r.toString());
    assertFalse(r.err().contains("\r"), r.toString());
  }

  @Test
  void progressBarRedrawsOneLineWithCarriageReturns() {
    CliRun r = CliRun.of("backup", "--pages", "-1", "--progress", "bar", src, dir.resolve("b.db").toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.err().contains("\r[##############################] 100%"), r.toString());
  }

  @Test
  void severalSchemasPrefixProgressWithTheSchema() throws Exception {
    Path aux = createSample(dir.resolve("aux.db"), false, 50);
    Path out = Files.createDirectory(dir.resolve("out"));
    CliRun r = CliRun.of("backup", "--progress", "plain", "--attach", "aux=" + aux, "-s", "main", "-s", "aux",
        src, out.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.errLines().stream().anyMatch(l -> l.matches("main: copied \\d+ of \\d+ pages")), r.toString());
    assertTrue(r.errLines().stream().anyMatch(l -> l.matches("aux: copied \\d+ of \\d+ pages")), r.toString());
    assertEquals(4, listing(out).size(), listing(out).toString());
  }

  @Test
  void memoryDestinationPrintsTheSummaryOnStdoutEvenWhenQuiet() throws Exception {
    List<String> before = listing(dir);
    CliRun r = CliRun.of("backup", "-q", src, ":memory:");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    List<String> lines = List.of(r.out().split("\\R"));
    assertTrue(lines.get(0).startsWith("# main: " + src + ", "), r.toString());
    assertTrue(lines.get(0).endsWith("quick_check ok"), r.toString());
    assertEquals(List.of("audit\t400", "sqlite_sequence\t1", "users\t400"), lines.subList(1, lines.size()));
    assertEquals(before.stream().filter(n -> !n.endsWith("-wal") && !n.endsWith("-shm")).toList(),
        listing(dir).stream().filter(n -> !n.endsWith("-wal") && !n.endsWith("-shm")).toList());
  }

  @Test
  void dashStreamsTheCheckedBackupToStdoutAndNothingElse() throws Exception {
    CliRun r = CliRun.binary("backup", src, "-");
    assertEquals(0, r.exitCode(), r.toString());
    Path streamed = dir.resolve("streamed.db");
    Files.write(streamed, r.stdoutBytes());
    assertEquals(contentDigest(source), contentDigest(streamed));
    assertEquals("ok", TestDatabases.integrityCheck(streamed));
    assertTrue(r.err().startsWith("backed up " + src + " to standard output: "), r.err());
    assertTrue(TestDatabases.listing(dir).stream().noneMatch(n -> n.startsWith(".sqlbak-")));
  }

  @Test
  void dashWithCompressionStreamsCompressedBytes() throws Exception {
    CliRun r = CliRun.binary("backup", "-q", "--compress", "gzip", src, "-");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    Path streamed = dir.resolve("streamed.db");
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.stdoutBytes()))) {
      Files.write(streamed, in.readAllBytes());
    }
    assertEquals(contentDigest(source), contentDigest(streamed));
  }

  @Test
  void jsonPrintsOneObjectWithTheDocumentedKeys() throws Exception {
    Path dest = dir.resolve("b.db");
    CliRun r = CliRun.of("backup", "--json", "--progress", "plain", src, dest.toString());
    assertEquals(0, r.exitCode(), r.toString());
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(java.util.Set.of("schema", "source", "destination", "pageSize", "pageCount", "bytes", "sha256",
        "check", "compression", "encryption", "recipients", "schemas", "snapshotTime", "durationMs", "pruned",
        "restarts", "busyRetries",
        "busyWaitMs", "snapshotHeldMs"), o.keySet());
    assertEquals(0, o.get("restarts").getAsInt());
    assertEquals(0, o.get("busyRetries").getAsLong(), "nobody else had the source open");
    assertEquals(dest.toString(), o.get("destination").getAsString());
    assertEquals(src, o.get("source").getAsString());
    assertEquals(TestDatabases.sha256(dest), o.get("sha256").getAsString());
    assertEquals(Files.size(dest), o.get("bytes").getAsLong());
    assertEquals("quick", o.get("check").getAsString());
    assertEquals(1, o.getAsJsonArray("schemas").size());
    assertTrue(r.err().contains("copied "), "progress still goes to stderr: " + r);
  }

  /** A live WAL source goes through the backup API, and the published file is its O_DIRECT copy. */
  @Test
  void aLiveWalSourceBacksUpWithItsCommittedWalRowsAndTheJsonDescribesThePublishedFile() throws Exception {
    Path live = TestDatabases.createLarge(dir.resolve("live.db"), true, 3);
    try (java.sql.Connection app = TestDatabases.open(live); java.sql.Statement s = app.createStatement()) {
      s.execute("PRAGMA wal_autocheckpoint=0");
      s.execute("CREATE TABLE late(x)");
      s.execute("INSERT INTO late VALUES (42)");
      Path dest = dir.resolve("b.db");

      CliRun r = CliRun.of("backup", "--json", live.toString(), dest.toString());

      assertEquals(0, r.exitCode(), r.toString());
      assertEquals(2, r.errLines().size(), "stderr carries the summary only: " + r);
      assertEquals("backed up " + live + " to " + dest + ": 773 pages, 3.0 MiB, quick_check ok", r.errLines().get(0));
      assertTrue(r.errLines().get(1).matches("done in \\d+\\.\\d\\d s"), r.toString());
      com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject();
      assertEquals(TestDatabases.sha256(dest), o.get("sha256").getAsString());
      assertEquals(Files.size(dest), o.get("bytes").getAsLong());
      assertEquals(0, o.get("restarts").getAsInt());
      assertEquals(42, TestDatabases.scalar(dest, "SELECT x FROM late"));
      assertEquals(contentDigest(live), contentDigest(dest));
      assertTrue(listing(dir).containsAll(List.of("b.db", "b.db.sha256")), listing(dir).toString());
      assertTrue(listing(dir).stream().noneMatch(n -> n.startsWith(".sqlbak-") || n.startsWith("b.db-")),
          listing(dir).toString());
    }
  }

  @Test
  void jsonForMemoryCarriesTheTablesInsteadOfTheTextSummary() {
    CliRun r = CliRun.of("backup", "--json", src, ":memory:");
    assertEquals(0, r.exitCode(), r.toString());
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject();
    assertTrue(o.get("destination").isJsonNull());
    assertEquals(3, o.getAsJsonArray("tables").size());
    assertEquals(400, o.getAsJsonArray("tables").get(2).getAsJsonObject().get("rows").getAsLong());
  }

  @Test
  void compressOptionWritesAZstdFileNextToItsSidecar() throws Exception {
    CliRun r = CliRun.of("backup", "--compress", "zstd", src, dir.resolve("b.db").toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(Files.exists(dir.resolve("b.db.zst")));
    assertTrue(TestDatabases.hashLine(dir.resolve("b.db.zst.sha256")).endsWith("  b.db.zst\n"));
    assertFalse(Files.exists(dir.resolve("b.db")));
    CliRun bad = CliRun.of("backup", "--compress", "lzma", src, dir.resolve("c.db").toString());
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.err().contains("'lzma' is not a compression"), bad.toString());
  }

  @Test
  void keepOptionsPruneAfterPublishingAndSayWhat() throws Exception {
    Path out = Files.createDirectory(dir.resolve("out"));
    CliRun first = CliRun.of("backup", "-q", src, out.toString());
    assertEquals(0, first.exitCode(), first.toString());
    String older = TestDatabases.listing(out).get(0);
    // The second run names its backup after the first even within the same second.
    CliRun second = CliRun.of("backup", "--keep-last", "1", src, out.toString());
    assertEquals(0, second.exitCode(), second.toString());
    assertTrue(second.err().contains("removed " + out.resolve(older) + "\n"), second.toString());
    assertEquals(2, TestDatabases.listing(out).size(), TestDatabases.listing(out).toString());
    CliRun toFile = CliRun.of("backup", "--keep-daily", "3", src, dir.resolve("f.db").toString());
    assertEquals(2, toFile.exitCode(), toFile.toString());
    CliRun negative = CliRun.of("backup", "--keep-last", "-1", src, out.toString());
    assertEquals(2, negative.exitCode(), negative.toString());
  }

  @Test
  void tableBackupNamesItsTablesOnStderrAndHoldsOnlyThem() throws Exception {
    Path dest = dir.resolve("part.db");
    CliRun r = CliRun.of("backup", "--table", "users", "--table", "AUDIT", "--progress", "plain", src, dest.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    List<String> lines = r.errLines();
    assertEquals(2, lines.size(), "no page progress, one line for the backup, one for the time: " + r);
    assertTrue(lines.get(0).matches("backed up " + Pattern.quote(src) + " \\(tables users, audit\\) to "
        + Pattern.quote(dest.toString()) + ": \\d+ pages, [0-9.]+ KiB, quick_check ok"), r.toString());
    assertTrue(lines.get(1).matches("done in \\d+\\.\\d\\d s"), r.toString());
    assertEquals(List.of("audit", "sqlite_sequence", "users"),
        TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"));
    assertEquals(List.of(), TestDatabases.column(dest, "SELECT name FROM sqlite_schema WHERE type = 'view'"));
    assertEquals(TestDatabases.column(source, "SELECT id || name || hex(avatar) FROM users ORDER BY id"),
        TestDatabases.column(dest, "SELECT id || name || hex(avatar) FROM users ORDER BY id"));
    assertEquals("ok", TestDatabases.integrityCheck(dest));
    assertTrue(TestDatabases.hashLine(dir.resolve("part.db.sha256")).startsWith(TestDatabases.sha256(dest) + "  part.db\n"));
  }

  @Test
  void tableJsonListsTheCopiedTablesWithTheirRows() throws Exception {
    Path dest = dir.resolve("part.db");
    CliRun r = CliRun.of("backup", "--json", "--table", "Users", src, dest.toString());
    assertEquals(0, r.exitCode(), r.toString());
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(java.util.Set.of("schema", "source", "destination", "pageSize", "pageCount", "bytes", "sha256",
        "check", "compression", "encryption", "recipients", "tables", "schemas", "snapshotTime", "durationMs",
        "pruned", "restarts",
        "busyRetries", "busyWaitMs", "snapshotHeldMs"), o.keySet());
    assertEquals("[{\"name\":\"users\",\"rows\":400}]", o.getAsJsonArray("tables").toString());
    assertEquals(TestDatabases.sha256(dest), o.get("sha256").getAsString());
    assertEquals(TestDatabases.scalar(dest, "PRAGMA page_count"), o.get("pageCount").getAsLong());
    assertTrue(r.err().startsWith("backed up " + src + " (table users) to " + dest + ": "), r.toString());
  }

  @Test
  void tableIntoMemoryPrintsTheCopysSummary() throws Exception {
    CliRun r = CliRun.of("backup", "--table", "users", src, ":memory:");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> out = List.of(r.out().split("\\R"));
    assertTrue(out.get(0).matches("# main: " + Pattern.quote(src) + ", \\d+ pages of 4096 bytes, quick_check ok"), r.toString());
    assertEquals(List.of("users\t400"), out.subList(1, out.size()));
  }

  @Test
  void completionPrintsABashScript() {
    CliRun r = CliRun.of("completion");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("complete -F"), r.out());
    assertTrue(r.out().contains("--busy-timeout"), "options are completed");
    assertTrue(r.out().contains("restore"), "commands are completed");
  }

  @Test
  void aBusyTimeoutBeyondWhatNanosecondsCanHoldStillWorks() throws Exception {
    // Found by ArgumentFuzzTest: the busy handler overflowed converting it to nanoseconds.
    Path dest = dir.resolve("huge-timeout.db");
    CliRun r = CliRun.of("backup", "--busy-timeout", "9999999999s", src, dest.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(contentDigest(Path.of(src)), contentDigest(dest));
  }
}
