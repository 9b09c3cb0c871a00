package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.TestCommands;
import dev.sqlbak.TestDatabases;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code restore -} and restores from paths that are no regular file (a FIFO), through the CLI
 * entry point with standard input handed in: exit codes, both streams, the target's content, and
 * the private scratch folder left empty.
 */
class RestoreFromStreamCommandTest {
  @TempDir Path dir;
  @TempDir Path tmp;
  private String systemTmp;
  private Path source;

  @BeforeEach
  void privateScratchFolder() throws Exception {
    // The scratch folder is per user and shared by every sqlbak on the machine: this test's own.
    systemTmp = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    source = createSample(dir.resolve("app.db"), false, 150);
  }

  @AfterEach
  void restoreTmp() throws Exception {
    System.setProperty("java.io.tmpdir", systemTmp);
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "the scratch copy is removed on every path");
  }

  /** The bytes {@code sqlbak backup -q [--compress C] app.db -} writes to stdout. */
  private byte[] streamed(String compression) {
    CliRun r = compression.equals("none")
        ? CliRun.binary("backup", "-q", source.toString(), "-")
        : CliRun.binary("backup", "-q", "--compress", compression, source.toString(), "-");
    assertEquals(0, r.exitCode(), r.toString());
    return r.stdoutBytes();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"none", "gzip", "zstd"})
  void aStreamedBackupIsRestoredIntoANewTarget(String compression) throws Exception {
    Path target = dir.resolve("restored.db");

    CliRun r = CliRun.withStdin(streamed(compression), "restore", "-", target.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out(), r.toString());
    assertEquals(List.of("restored /dev/stdin into " + target + ": "
        + TestDatabases.scalar(source, "PRAGMA page_count") + " pages"), r.errLines());
    assertEquals(contentDigest(source), contentDigest(target));
    assertEquals("ok", TestDatabases.integrityCheck(target));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)),
        "a stream has no mode to inherit: the new target is the owner's only");
  }

  @Test
  void aStreamedBackupReplacesAnExistingTargetWithASafetyCopyAndJson() throws Exception {
    Path target = createSample(dir.resolve("live.db"), true, 5);
    String old = contentDigest(target);

    CliRun r = CliRun.withStdin(streamed("zstd"), "restore", "-f", "--json", "-q", "-", target.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err(), r.toString());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals("/dev/stdin", o.get("backup").getAsString());
    assertEquals(contentDigest(source), contentDigest(target));
    assertEquals("wal", TestDatabases.column(target, "PRAGMA journal_mode").get(0), "the target keeps its mode");
    assertEquals(old, contentDigest(Path.of(o.get("safetyCopy").getAsString())));
  }

  /** A stream cut short: exit 3 in one line, the target as it was, and no safety copy made. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"none", "gzip", "zstd"})
  void aStreamCutShortIsABadBackupAndTouchesNothing(String compression) throws Exception {
    byte[] whole = streamed(compression);
    byte[] cut = Arrays.copyOf(whole, whole.length / 2);
    Path target = createSample(dir.resolve("live.db"), false, 5);
    Map<String, String> before = TestDatabases.snapshot(dir);

    CliRun r = CliRun.withStdin(cut, "restore", "-f", "-", target.toString());

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: backup is bad: /dev/stdin: "), r.toString());
    assertTrue(r.err().contains("the target was not touched"), r.toString());
    assertEquals("", r.out());
    assertEquals(before, TestDatabases.snapshot(dir), "the target untouched, no safety copy");
  }

  @Test
  void anEmptyStdinIsABadBackup() throws Exception {
    Path target = dir.resolve("restored.db");

    CliRun r = CliRun.withStdin(new byte[0], "restore", "-", target.toString());

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: backup is bad: /dev/stdin: empty file (0 bytes), not a database;"
        + " the target was not touched"), r.errLines());
    assertTrue(Files.notExists(target));
  }

  @Test
  void aStdinThatFailsToReadIsAFailureNotABadBackup() throws Exception {
    byte[] whole = streamed("gzip");
    java.io.InputStream failing = new java.io.SequenceInputStream(
        new java.io.ByteArrayInputStream(whole, 0, whole.length / 2), new java.io.InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("Input/output error");
          }
        });
    Path target = dir.resolve("restored.db");

    CliRun r = CliRun.withStdin(failing, "restore", "-", target.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(List.of("sqlbak: cannot read backup: /dev/stdin; Input/output error; the target was not touched"),
        r.errLines());
    assertTrue(Files.notExists(target));
  }

  /** A forgotten pipe: stdin is the terminal, which is never read (it would wait for a Ctrl-D). */
  @Test
  void aTerminalOnStdinIsRefusedWithoutReadingIt() throws Exception {
    Path target = dir.resolve("restored.db");
    java.io.InputStream unread = new java.io.InputStream() {
      @Override
      public int read() {
        throw new AssertionError("a terminal must not be read");
      }
    };
    java.io.StringWriter err = new java.io.StringWriter();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    int code = SqlbakCommand.run(new StandardInput(unread, true), out, new java.io.PrintWriter(err), true,
        "restore", "-", target.toString());

    assertEquals(1, code, err.toString());
    assertEquals("sqlbak: stdin is a terminal, not a backup: -; pipe one in: sqlbak backup -q app.db -"
        + " | sqlbak restore - " + target + System.lineSeparator(), err.toString());
    assertEquals(0, out.size());
    assertTrue(Files.notExists(target));
  }

  /** {@code restore <(cmd) x.db} names a pipe: read as a stream, never sized ("empty file"). */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"none", "gzip"})
  void aFifoPathIsReadAsAStream(String compression) throws Exception {
    Path fifo = dir.resolve("backup.fifo");
    Assumptions.assumeTrue(TestCommands.succeeds("mkfifo", fifo.toString()), "needs mkfifo");
    byte[] bytes = streamed(compression);
    Thread writer = new Thread(() -> {
      try (OutputStream out = Files.newOutputStream(fifo)) {
        out.write(bytes);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    Path target = dir.resolve("restored.db");

    CliRun r = CliRun.of("restore", "-q", fifo.toString(), target.toString());

    writer.join(10_000);
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err(), r.toString());
    assertEquals(contentDigest(source), contentDigest(target));
  }

  @Test
  void aFileNamedDashIsReachedAsDotSlashDash() throws Exception {
    Files.copy(dir.resolve("app.db"), dir.resolve("-"));
    Path target = dir.resolve("restored.db");

    CliRun r = CliRun.withStdin(new byte[0], "restore", "-q", dir.resolve("-").toString(), target.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(contentDigest(source), contentDigest(target));
  }
}
