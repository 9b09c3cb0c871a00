package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.BackupFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Series through the CLI: the refusal and the warning as the user sees them, and --name. */
class SeriesCommandTest {
  @TempDir Path dir;

  @Test
  void aSecondSourceUnderTheSameNameIsRefusedInOneLineAndNamedWithName() throws Exception {
    Path siteA = createSample(Files.createDirectory(dir.resolve("siteA")).resolve("db.sqlite3"), false, 5);
    Path siteB = createSample(Files.createDirectory(dir.resolve("siteB")).resolve("db.sqlite3"), false, 6);
    Path out = Files.createDirectory(dir.resolve("out"));
    CliRun first = CliRun.of("backup", "-q", "--keep-last", "1", siteA.toString(), out.toString());
    assertEquals(0, first.exitCode(), first.toString());
    List<String> before = listing(out);

    CliRun refused = CliRun.of("backup", "-q", "--keep-last", "1", siteB.toString(), out.toString());
    assertEquals(1, refused.exitCode(), refused.toString());
    assertEquals(1, refused.errLines().size(), refused.toString());
    String line = refused.errLines().get(0);
    assertTrue(line.startsWith("sqlbak: destination holds another source's backups named db: "), line);
    assertTrue(line.contains(siteA.toRealPath().toString()) && line.contains("--name"), line);
    assertEquals("", refused.out());
    assertEquals(before, listing(out));

    CliRun named = CliRun.of("backup", "-q", "--name", "db-b", "--keep-last", "1", siteB.toString(),
        out.toString());
    assertEquals(0, named.exitCode(), named.toString());
    assertEquals("", named.err());
    assertEquals(4, listing(out).size(), listing(out).toString());
  }

  @Test
  void backupsDatedAfterTheNewOneAreWarnedOfEvenWhenQuiet() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 5);
    Path out = Files.createDirectory(dir.resolve("out"));
    String future = BackupFolders.name("app", LocalDateTime.of(2031, 1, 1, 0, 0), ".db");
    BackupFolders.writeGood(out, future, true);
    CliRun r = CliRun.of("backup", "-q", source.toString(), out.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("sqlbak: warning: "), r.toString());
    assertTrue(r.errLines().get(0).contains(future), r.toString());
  }

  @Test
  void nameIsAUsageErrorWithSeveralSchemasOrAnUnusableName() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 5);
    Path aux = createSample(dir.resolve("aux.db"), false, 5);
    Path out = Files.createDirectory(dir.resolve("out"));
    for (String[] args : List.of(
        new String[] {"backup", "--name", "x", "--attach", "aux=" + aux, "-s", "main", "-s", "aux",
            source.toString(), out.toString()},
        new String[] {"backup", "--name", "a/b", source.toString(), out.toString()},
        new String[] {"backup", "--name", ".hidden", source.toString(), out.toString()},
        new String[] {"backup", "--name", "two\nlines", source.toString(), out.toString()},
        new String[] {"backup", "--name", "n".repeat(240), source.toString(), out.toString()})) {
      CliRun r = CliRun.of(args);
      assertEquals(2, r.exitCode(), r.toString());
      assertTrue(r.errLines().get(0).startsWith("sqlbak: "), r.toString());
    }
    assertEquals(List.of(), listing(out));
  }

  @Test
  void aSourceWhoseNameHoldsALineBreakNeedsNameAndLeavesNothing() throws Exception {
    Path source = createSample(dir.resolve("two\nlines.db"), false, 5);
    Path out = Files.createDirectory(dir.resolve("out"));
    CliRun r = CliRun.of("backup", source.toString(), out.toString());
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("sqlbak: ") && r.errLines().get(0).contains("--name"), r.toString());
    assertEquals(List.of(), listing(out));
    CliRun named = CliRun.of("backup", "-q", "--name", "two-lines", source.toString(), out.toString());
    assertEquals(0, named.exitCode(), named.toString());
  }

  @Test
  void verifyOfAShellGlobChecksEachBackupOnceAndLatestOfAMissingFolderFails() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 5);
    Path out = Files.createDirectory(dir.resolve("out"));
    assertEquals(0, CliRun.of("backup", "-q", source.toString(), out.toString()).exitCode());
    assertEquals(0, CliRun.of("backup", "-q", "--compress", "zstd", source.toString(), out.toString()).exitCode());
    List<String> glob = listing(out).stream().map(n -> out.resolve(n).toString()).toList();
    assertEquals(4, glob.size(), glob.toString());
    List<String> args = new java.util.ArrayList<>(List.of("verify"));
    args.addAll(glob);
    CliRun r = CliRun.of(args.toArray(new String[0]));
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(2, r.errLines().size(), "one line per backup, none for a sidecar: " + r);

    CliRun missing = CliRun.of("verify", "--latest", dir.resolve("unmounted").toString() + "/");
    assertEquals(1, missing.exitCode(), missing.toString());
    assertTrue(missing.err().startsWith("sqlbak: directory not found: "), missing.toString());
  }
}
