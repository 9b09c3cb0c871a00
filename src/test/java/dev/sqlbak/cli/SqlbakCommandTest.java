package dev.sqlbak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.cli.output.ExitCode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

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
  void aCommandBuiltAloneHasTheSameHelpAsInTheWholeTree() {
    // "help NAME" builds every command; "NAME --help" only the one named.
    for (Class<?> command : SqlbakCommand.SUBCOMMANDS) {
      String name = command.getAnnotation(CommandLine.Command.class).name();
      if (name.equals("help") || name.equals("warm-up")) {
        continue; // no --help of their own
      }
      CliRun alone = CliRun.of(name, "--help");
      CliRun inTree = CliRun.of("help", name);
      assertEquals(0, alone.exitCode(), alone.toString());
      assertTrue(alone.out().startsWith("Usage: sqlbak " + name), alone.out());
      assertEquals(inTree.out(), alone.out(), name);
    }
  }

  @Test
  void aMistypedCommandStillGetsSuggestionsFromEveryCommand() {
    CliRun r = CliRun.of("verfy", "x.db");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("sqlbak: Unmatched arguments from index 0: 'verfy', 'x.db'"), r.err());
    assertTrue(r.err().contains("verify"), r.err());
  }

  @Test
  void picocliIsCompiledForJava17SoThatClassDataSharingArchivesIt() throws IOException {
    // picocli's own jar holds Java 5 class files (version 49), which the CDS archive refuses.
    try (InputStream in = CommandLine.class.getResourceAsStream("CommandLine.class")) {
      DataInputStream data = new DataInputStream(in);
      assertEquals(0xCAFEBABE, data.readInt());
      data.readUnsignedShort();
      assertEquals(61, data.readUnsignedShort());
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
