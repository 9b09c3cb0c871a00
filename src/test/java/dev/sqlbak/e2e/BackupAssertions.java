package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Assertions the end-to-end tests share: what a clean failure and a good backup look like. */
public final class BackupAssertions {
  /** picocli's hint after a usage error, the only second line the contract allows. */
  public static final String TRY_HELP = "Try 'sqlbak backup --help' for more information.";

  private BackupAssertions() {}

  /**
   * A failure as the contract's "General" section describes it: the exit code, nothing on stdout,
   * one {@code sqlbak: } line on stderr (plus picocli's hint for usage errors), no stack trace.
   * Returns the {@code sqlbak: } line for further checks of its wording.
   */
  public static String assertCleanFailure(Sqlbak.Result r, int exitCode) {
    assertEquals(exitCode, r.exitCode(), r.describe());
    assertEquals("", r.stdout(), "stdout carries only data; " + r.describe());
    assertNoStackTrace(r);
    List<String> lines = r.stderrLines();
    assertFalse(lines.isEmpty(), "a failure must say what failed; " + r.describe());
    assertTrue(lines.get(0).startsWith("sqlbak: "), "first stderr line must start 'sqlbak: '; " + r.describe());
    if (exitCode == 2) {
      assertTrue(lines.size() == 1 || lines.size() == 2 && lines.get(1).equals(TRY_HELP),
          "a usage error is one line, optionally followed by the help hint; " + r.describe());
    } else {
      assertEquals(1, lines.size(), "a failure prints exactly one line on stderr; " + r.describe());
    }
    return lines.get(0);
  }

  /** No Java exception or stack frame reached the user. */
  public static void assertNoStackTrace(Sqlbak.Result r) {
    String all = r.stdout() + r.stderr();
    assertFalse(all.contains("\tat ") || all.contains("Exception") || all.contains("Caused by:"),
        "no stack trace may reach the user without --verbose; " + r.describe());
  }

  /**
   * {@code backup} is a finished, self-contained copy of {@code source}: rollback-journal mode in its
   * header, integrity_check ok, and the same schema and rows.
   */
  public static void assertCompleteCopy(Path backup, Path source) throws Exception {
    assertTrue(Files.isRegularFile(backup), "no backup at " + backup);
    // Checked before opening: opening a WAL-mode file would create -wal/-shm beside it.
    assertEquals("rollback", TestDatabases.headerJournalMode(backup),
        "a published backup must be in rollback-journal mode: " + backup);
    assertEquals("ok", TestDatabases.integrityCheck(backup), "integrity_check of " + backup);
    assertEquals(TestDatabases.contentDigest(source), TestDatabases.contentDigest(backup),
        "backup content differs from its source: " + backup);
  }

  /** {@code <backup>.sha256} is in sha256sum format, names the backup's base name and matches its bytes. */
  public static void assertSidecar(Path backup) throws Exception {
    Path sidecar = backup.resolveSibling(backup.getFileName() + ".sha256");
    assertTrue(Files.isRegularFile(sidecar), "missing checksum file " + sidecar);
    assertEquals(TestDatabases.sha256(backup) + "  " + backup.getFileName() + "\n",
        TestDatabases.hashLine(sidecar), "checksum file " + sidecar);
  }
}
