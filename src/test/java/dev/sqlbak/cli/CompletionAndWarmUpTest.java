package dev.sqlbak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion script offers what the reference documents; the hidden warm-up removes only its own folder. */
class CompletionAndWarmUpTest {
  @TempDir Path dir;

  @Test
  void completionOffersTheDocumentedLowerCaseValues() {
    CliRun r = CliRun.of("completion");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().contains("(\"auto\" \"bar\" \"plain\" \"none\")"), "--progress values");
    assertTrue(r.out().contains("(\"quick\" \"full\" \"none\")"), "backup --check values");
    assertTrue(r.out().contains("(\"full\" \"quick\" \"none\")"), "verify --check values");
    assertTrue(r.out().contains("(\"gzip\" \"zstd\")"), "--compress values");
    assertFalse(r.out().matches("(?s).*\"(AUTO|NONE|QUICK|FULL|GZIP|ZSTD)\".*"), "no enum constants offered");
  }

  @Test
  void completionHelpKeepsItsCommandOnOneLine() {
    CliRun r = CliRun.of("completion", "--help");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.strip().equals("source <(sqlbak completion)")), r.out());
  }

  @Test
  void warmUpRefusesAFolderThatExistsAndLeavesItsContent() throws Exception {
    Path precious = Files.writeString(Files.createDirectory(dir.resolve("home")).resolve("notes.txt"), "keep me");

    CliRun r = CliRun.of("warm-up", dir.resolve("home").toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: warm-up needs a folder that does not exist yet: "), r.err());
    assertEquals("keep me", Files.readString(precious));
  }

  @Test
  void warmUpRemovesTheFolderItMade() {
    CliRun r = CliRun.of("warm-up", dir.resolve("run").toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertFalse(Files.exists(dir.resolve("run")));
  }
}
