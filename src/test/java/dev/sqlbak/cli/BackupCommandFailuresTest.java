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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code sqlbak backup} refusing or failing: usage errors, failures and exactly what each stream says. */
class BackupCommandFailuresTest {
  @TempDir Path dir;
  private Path source;
  private String src;

  @BeforeEach
  void sample() throws Exception {
    source = createSample(dir.resolve("app.db"), true, 400);
    src = source.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "abc", "-2"})
  void badPageCountsAreUsageErrors(String pages) {
    CliRun r = CliRun.of("backup", "--pages", pages, src, dir.resolve("b.db").toString());
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("sqlbak: "), r.toString());
    assertTrue(r.errLines().get(0).contains(pages), r.toString());
    assertNoStackTrace(r);
    assertFalse(Files.exists(dir.resolve("b.db")));
  }

  @Test
  void unknownOptionIsAUsageErrorWithAHint() {
    CliRun r = CliRun.of("backup", "--frobnicate", src);
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("sqlbak: Unknown option: '--frobnicate'", r.errLines().get(0));
    assertTrue(r.err().contains("Try 'sqlbak backup --help'"), r.toString());
    assertEquals("", r.out());
  }

  @Test
  void badDurationIsAUsageError() {
    CliRun r = CliRun.of("backup", "--busy-timeout", "soon", src, dir.resolve("b.db").toString());
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("sqlbak: ") && r.err().contains("'soon' is not a duration"), r.toString());
  }

  @Test
  void unknownCommandAndMissingCommandAreUsageErrors() {
    CliRun unknown = CliRun.of("bakup", src);
    assertEquals(2, unknown.exitCode(), unknown.toString());
    assertTrue(unknown.errLines().get(0).startsWith("sqlbak: Unmatched argument"), unknown.toString());
    CliRun none = CliRun.of();
    assertEquals(2, none.exitCode(), none.toString());
    assertEquals("sqlbak: missing command (backup, restore, verify, info, list, prune or keygen)", none.errLines().get(0));
  }

  @Test
  void dashWithJsonIsAUsageError() {
    CliRun r = CliRun.binary("backup", "--json", src, "-");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(0, r.stdoutBytes().length);
    assertTrue(r.errLines().get(0).startsWith("sqlbak: --json cannot go with DEST '-'"), r.toString());
  }

  @Test
  void failureIsExactlyOneLineAndNothingIsCreated() throws Exception {
    Path missing = dir.resolve("missing.db");
    CliRun r = CliRun.of("backup", missing.toString(), dir.resolve("b.db").toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: source not found: " + missing), r.errLines());
    assertEquals("", r.out());
    assertFalse(Files.exists(missing));
    assertFalse(Files.exists(dir.resolve("b.db")));
  }

  @Test
  void verboseAddsTheStackTrace() {
    Path missing = dir.resolve("missing.db");
    CliRun r = CliRun.of("backup", "--verbose", missing.toString(), dir.resolve("b.db").toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("sqlbak: source not found: " + missing, r.errLines().get(0));
    assertTrue(r.err().contains("\tat dev.sqlbak.engine.BackupEngine"), r.toString());
  }

  @Test
  void existingDestinationNeedsForce() throws Exception {
    Path dest = dir.resolve("b.db");
    Files.writeString(dest, "keep me");
    CliRun refused = CliRun.of("backup", src, dest.toString());
    assertEquals(1, refused.exitCode(), refused.toString());
    assertEquals(List.of("sqlbak: destination exists: " + dest + "; use --force to replace it"), refused.errLines());
    assertEquals("keep me", Files.readString(dest));

    CliRun forced = CliRun.of("backup", "-f", src, dest.toString());
    assertEquals(0, forced.exitCode(), forced.toString());
    assertEquals(contentDigest(source), contentDigest(dest));
  }

  @Test
  void corruptSourceMessageSaysSoAndPublishesNothing() throws Exception {
    Path corrupt = createSample(dir.resolve("c.db"), false, 3000);
    TestDatabases.scribblePage(corrupt, TestDatabases.middlePage(corrupt));
    CliRun r = CliRun.of("backup", corrupt.toString(), dir.resolve("b.db").toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: quick_check of the copy failed: " + corrupt), r.toString());
    assertTrue(r.err().contains("the source may be corrupt"), r.toString());
    assertFalse(Files.exists(dir.resolve("b.db")));
  }

  @Test
  void compactWithPagesIsAUsageErrorAndAloneWorks() throws Exception {
    CliRun bad = CliRun.of("backup", "--compact", "--pages", "5", src, dir.resolve("c.db").toString());
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.errLines().get(0).startsWith("sqlbak: --compact cannot go with --pages"), bad.toString());
    assertFalse(Files.exists(dir.resolve("c.db")));
    CliRun ok = CliRun.of("backup", "--compact", "--progress", "plain", src, dir.resolve("c.db").toString());
    assertEquals(0, ok.exitCode(), ok.toString());
    assertFalse(ok.err().contains("copied "), "no page progress: " + ok);
    assertEquals(contentDigest(source), contentDigest(dir.resolve("c.db")));
  }

  @Test
  void unknownTableExitsOneNamingItAndWritesNothing() throws Exception {
    List<String> before = withoutWalFiles(listing(dir));
    CliRun r = CliRun.of("backup", "--table", "users", "--table", "nosuch", src, dir.resolve("part.db").toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of("sqlbak: unknown table: nosuch; " + src + " has audit, users"), r.errLines());
    CliRun view = CliRun.of("backup", "--table", "user_names", src, dir.resolve("part.db").toString());
    assertEquals(1, view.exitCode(), view.toString());
    assertEquals(List.of("sqlbak: not a table but a view: user_names; views are not copied"), view.errLines());
    assertEquals(before, withoutWalFiles(listing(dir)));
  }

  /** Reading a WAL-mode source creates its -wal and -shm if missing, as SQLite does for any reader. */
  private static List<String> withoutWalFiles(List<String> names) {
    return names.stream().filter(n -> !n.endsWith("-wal") && !n.endsWith("-shm")).toList();
  }

  @Test
  void tableWithPagesCompactOrTwiceTheSameIsAUsageError() throws Exception {
    String dest = dir.resolve("part.db").toString();
    CliRun pages = CliRun.of("backup", "--table", "users", "--pages", "5", src, dest);
    assertEquals(2, pages.exitCode(), pages.toString());
    assertEquals("sqlbak: --table cannot go with --pages: 5; a table backup copies rows in one transaction,"
        + " without page steps", pages.errLines().get(0));
    CliRun compact = CliRun.of("backup", "--table", "users", "--compact", src, dest);
    assertEquals(2, compact.exitCode(), compact.toString());
    assertTrue(compact.errLines().get(0).startsWith("sqlbak: --table cannot go with --compact: users; "), compact.toString());
    CliRun twice = CliRun.of("backup", "--table", "users", "--table", "USERS", src, dest);
    assertEquals(2, twice.exitCode(), twice.toString());
    assertEquals("sqlbak: table named twice: USERS", twice.errLines().get(0));
    CliRun json = CliRun.binary("backup", "--json", "--table", "users", src, "-");
    assertEquals(2, json.exitCode(), json.toString());
    for (CliRun r : List.of(pages, compact, twice, json)) {
      assertEquals("", r.out(), r.toString());
    }
    assertFalse(Files.exists(dir.resolve("part.db")));
  }

  private static void assertNoStackTrace(CliRun r) {
    assertFalse(r.err().contains("\tat "), r.toString());
    assertFalse(r.err().contains("Exception"), r.toString());
  }

  @Test
  void anAttachWithoutAFileIsAUsageError() throws Exception {
    java.nio.file.Path source = dev.sqlbak.TestDatabases.createSample(dir.resolve("s.db"), false, 5);
    java.nio.file.Files.createDirectory(dir.resolve("e"));

    CliRun r = CliRun.of("backup", "--attach", "bad", source.toString(), dir.resolve("e").toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("sqlbak: --attach needs NAME=FILE: 'bad'; "), r.err());
    assertEquals(java.util.List.of(), dev.sqlbak.TestDatabases.listing(dir.resolve("e")));
  }
}
