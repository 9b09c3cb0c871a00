package dev.sqlbak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Help, version and the exit-code table. */
class SqlbakCommandTest {
  @Test
  void helpListsCommandsAndEveryExitCode() {
    CliRun r = CliRun.of("--help");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().contains("backup"), r.out());
    String help = r.out().replaceAll("\\s+", " ");
    for (ExitCode code : ExitCode.values()) {
      assertTrue(help.contains(" " + code.code() + " " + code.meaning()),
          "missing exit code " + code + " in:\n" + r.out());
    }
  }

  @Test
  void backupHelpShowsOptionsDefaultsAndExitCodes() {
    CliRun r = CliRun.of("help", "backup");
    assertEquals(0, r.exitCode(), r.toString());
    String help = r.out().replaceAll("\\s+", " ");
    for (String option : new String[] {"--pages", "--schema", "--attach", "--check", "--busy-timeout",
        "--progress", "--force", "--quiet", "--verbose", "Default: quick", "Default: 5s", "Exit codes:", "143"}) {
      assertTrue(help.contains(option), option + " missing from:\n" + r.out());
    }
  }

  @Test
  void versionNamesSqlbakAndSqlite() {
    CliRun r = CliRun.of("--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sqlbak "), r.out());
    assertTrue(r.out().contains("SQLite 3."), r.out());
  }

  @Test
  void exitCodesAreTheDocumentedNumbers() {
    assertEquals(0, ExitCode.OK.code());
    assertEquals(1, ExitCode.FAILURE.code());
    assertEquals(2, ExitCode.USAGE.code());
    assertEquals(3, ExitCode.BAD_BACKUP.code());
    assertEquals(130, ExitCode.INTERRUPTED.code());
    assertEquals(143, ExitCode.TERMINATED.code());
  }
}
