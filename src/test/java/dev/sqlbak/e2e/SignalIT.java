package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SIGINT and SIGTERM mid-copy: exit 130 and 143, and the destination folder is left as it was. */
class SignalIT {
  private static final Pattern PROGRESS = Sqlbak.PROGRESS;
  private static final int SIGINT = 2;

  @TempDir static Path dir;
  static Path big;

  @BeforeAll
  static void bigDatabase() throws Exception {
    big = TestDatabases.createLarge(dir.resolve("big.db"), false, 200);
  }

  @ParameterizedTest(name = "SIG{0} -> exit {1}")
  @CsvSource({"INT, 130", "TERM, 143"})
  void signalMidCopyExitsWithItsCodeAndLeavesNothing(String signal, int exitCode) throws Exception {
    Path folder = Files.createDirectory(dir.resolve("dest-" + signal));
    Sqlbak.Result r;
    String[] args = {"backup", "--pages", "4", "--progress", "plain", big.toString(), folder.toString()};
    Sqlbak.Running started;
    if (SIGINT != signalNumber(signal) || !Sqlbak.ignoresSignal(ProcessHandle.current().pid(), SIGINT)) {
      started = Sqlbak.start(dir, args);
    } else {
      started = Sqlbak.startWithDefaultSigint(dir, args);
      Assumptions.assumeTrue(started != null,
          "SIGINT is ignored by inheritance in this test JVM (started in the background by a "
              + "non-interactive shell), so sqlbak would inherit it as ignored, and this system's env "
              + "has no --default-signal to restore it; the SIGTERM case covers the same cleanup");
    }
    try (Sqlbak.Running run = started) {
      String line = run.awaitMidCopyProgress();
      assertNotNull(line, "no progress before the copy ended; stderr:\n" + run.stderrSoFar());
      if (SIGINT == signalNumber(signal)) {
        Assumptions.assumeFalse(Sqlbak.ignoresSignal(run.pid(), SIGINT),
            "sqlbak runs with SIGINT ignored (inherited), so it cannot receive it; the SIGTERM case "
                + "covers the same cleanup");
      }
      // Stopped first, so that the signal is certain to land mid-copy however loaded the machine is.
      Sqlbak.signal(run.pid(), "STOP");
      try {
        List<String> names = TestDatabases.listing(folder);
        assertTrue(names.stream().anyMatch(n -> n.matches("\\.sqlbak-[0-9a-f]{16}\\.db")),
            "the copy should be in progress in a temp file: " + names);
        Sqlbak.signal(run.pid(), signal);
      } finally {
        Sqlbak.signal(run.pid(), "CONT");
      }
      r = run.waitFor(Duration.ofSeconds(60));
    }
    assertEquals(exitCode, r.exitCode(), r.describe());
    assertEquals("", r.stdout(), r.describe());
    assertNoStackTrace(r);
    assertTrue(r.stderrLines().stream().noneMatch(l -> l.startsWith("backed up")),
        "nothing may be published; " + r.describe());
    assertEquals(List.of(), TestDatabases.listing(folder),
        "an interrupted run removes its temp files and publishes nothing; " + r.describe());
  }

  private static int signalNumber(String name) {
    return "INT".equals(name) ? SIGINT : 15;
  }
}
