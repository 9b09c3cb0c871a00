package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestCommands;
import dev.sqlbak.TestDatabases;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code restore -} between real processes: {@code sqlbak backup -q app.db - | sqlbak restore - x.db}
 * through a pipe, plain and compressed, from {@code /dev/stdin} and {@code <(...)}, a stream cut
 * short, and a signal while stdin is still being read. Scratch files go to a {@code TMPDIR} of
 * the test's own, which must be empty afterwards.
 */
class RestorePipeIT {
  @TempDir static Path dir;
  static Path source;
  static Path tmp;
  static Map<String, String> env;

  @BeforeAll
  static void source() throws Exception {
    source = TestDatabases.createSample(dir.resolve("app.db"), true, 2000);
    tmp = Files.createDirectory(dir.resolve("tmp"));
    env = Map.of("TMPDIR", tmp.toString());
  }

  private static void assertRestored(Sqlbak.Result r, Path target) throws Exception {
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    assertEquals("ok", TestDatabases.integrityCheck(target));
    assertEquals(TestDatabases.contentDigest(source), TestDatabases.contentDigest(target));
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left behind");
  }

  @ParameterizedTest(name = "--compress {0}")
  @ValueSource(strings = {"none", "gzip", "zstd"})
  void aBackupPipedIntoRestoreDashIsRestored(String compression) throws Exception {
    Path target = dir.resolve("piped-" + compression + ".db");

    Sqlbak.Result r = Sqlbak.runScript(dir, env, "\"$SQLBAK\" backup -q --compress " + compression
        + " app.db - | \"$SQLBAK\" restore -q - " + target.getFileName());

    assertRestored(r, target);
  }

  @Test
  void devStdinAndProcessSubstitutionAreReadAsStreams() throws Exception {
    Sqlbak.Result viaDevStdin = Sqlbak.runScript(dir, env,
        "\"$SQLBAK\" backup -q --compress gzip app.db - | \"$SQLBAK\" restore -q /dev/stdin devstdin.db");
    assertRestored(viaDevStdin, dir.resolve("devstdin.db"));

    Sqlbak.Result viaFifo = Sqlbak.runScript(dir, env,
        "\"$SQLBAK\" restore -q <(\"$SQLBAK\" backup -q app.db -) substituted.db");
    assertRestored(viaFifo, dir.resolve("substituted.db"));
  }

  /** A stream cut short (the sender died, a connection dropped): exit 3, TARGET as it was, no safety copy. */
  @ParameterizedTest(name = "--compress {0}")
  @ValueSource(strings = {"none", "gzip", "zstd"})
  void aStreamCutShortIsABadBackupAndLeavesTheTargetAlone(String compression) throws Exception {
    Path folder = Files.createDirectory(dir.resolve("cut-" + compression));
    Path target = TestDatabases.createSample(folder.resolve("live.db"), false, 10);
    Map<String, String> before = TestDatabases.snapshot(folder);

    // The sender's own line about its broken pipe is not restore's: only restore's stderr is kept.
    Sqlbak.Result r = Sqlbak.runScript(dir, env, "\"$SQLBAK\" backup -q --compress " + compression
        + " app.db - 2>/dev/null | head -c 20000 | \"$SQLBAK\" restore -f - " + target);

    String line = assertCleanFailure(r, 3);
    assertTrue(line.startsWith("sqlbak: backup is bad: /dev/stdin: "), r.describe());
    assertEquals(before, TestDatabases.snapshot(folder), "TARGET untouched and no safety copy");
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left behind");
  }

  /** SIGTERM while the backup is still arriving: exit 143, the scratch copy removed, TARGET as it was. */
  @Test
  void sigtermWhileStdinIsReadRemovesTheScratchCopy() throws Exception {
    Path fifo = dir.resolve("stdin.fifo");
    Assumptions.assumeTrue(TestCommands.succeeds("mkfifo", fifo.toString()), "needs mkfifo");
    Path target = TestDatabases.createSample(dir.resolve("kept.db"), false, 10);
    String old = TestDatabases.contentDigest(target);
    byte[] bytes = Files.readAllBytes(source);
    // Opened read-write, so that opening it does not wait for a reader, and sqlbak's read end does
    // not see an end of file while the test holds it.
    try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
        Sqlbak.Running run = Sqlbak.startWithStdin(dir, fifo, env, "restore", "-f", "-", target.toString())) {
      writer.write(bytes, 0, bytes.length / 2);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!scratchHoldsData() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(scratchHoldsData(), "the stream never reached the scratch folder: " + run.stderrSoFar());

      Sqlbak.signal(run.pid(), "TERM");
      Sqlbak.Result r = run.waitFor(Duration.ofSeconds(60));

      assertEquals(143, r.exitCode(), r.describe());
      assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left behind");
      assertEquals(old, TestDatabases.contentDigest(target));
      assertEquals(List.of("kept.db"), TestDatabases.listing(dir).stream().filter(n -> n.startsWith("kept.db")).toList(),
          "no safety copy");
    }
  }

  private static boolean scratchHoldsData() throws Exception {
    Path own = tmp.resolve("sqlbak-" + System.getProperty("user.name"));
    for (String name : TestDatabases.scratchFiles(tmp)) {
      if (name.endsWith(".db") && Files.size(own.resolve(name)) > 0) {
        return true;
      }
    }
    return false;
  }
}
