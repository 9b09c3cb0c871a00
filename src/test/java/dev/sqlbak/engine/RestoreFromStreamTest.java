package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restore whose backup arrives as a stream ({@link BackupOrigin.Stream}): spooled, checked, restored. */
class RestoreFromStreamTest {
  @TempDir Path dir;
  @TempDir Path tmp;
  private String systemTmp;
  private final RestoreEngine engine = new RestoreEngine();

  @BeforeEach
  void privateScratchFolder() {
    systemTmp = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
  }

  @AfterEach
  void scratchIsEmpty() throws Exception {
    System.setProperty("java.io.tmpdir", systemTmp);
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "the scratch copy is removed");
  }

  private static BackupOrigin stdin(byte[] bytes) {
    return BackupOrigin.standardInput(new ByteArrayInputStream(bytes));
  }

  /**
   * The raw bytes of a WAL-mode file (what {@code cat app.db} sends once it is checkpointed) into a
   * rollback-journal target: the spooled copy is what gets its header switched, and the target
   * keeps its mode. While the stream is read, its bytes sit in one owner-only scratch file.
   */
  @Test
  void aWalModeFileStreamedIntoAnExistingTargetKeepsTheTargetsModeAndSavesItsContent() throws Exception {
    Path wal = createSample(dir.resolve("wal.db"), true, 300);
    Path plain = TestDatabases.plainCopyOfWalFile(wal, dir.resolve("plain.db"));
    byte[] bytes = Files.readAllBytes(plain);
    Path target = createSample(dir.resolve("live.db"), false, 10);
    String old = contentDigest(target);
    List<String> duringRead = new ArrayList<>();
    InputStream watched = new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        int n = super.read(b, off, len);
        if (n < 0 && duringRead.isEmpty()) {
          try {
            // Its .lock file (no data) is left out: its mode is the umask's.
            for (String name : TestDatabases.scratchFiles(tmp).stream().filter(f -> !f.endsWith(".lock")).toList()) {
              Path f = tmp.resolve("sqlbak-" + System.getProperty("user.name")).resolve(name);
              duringRead.add(name.replaceAll("[0-9a-f]{16}", "T") + " "
                  + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        }
        return n;
      }
    };

    RestoreResult r = engine.restore(
        RestoreRequest.of(BackupOrigin.standardInput(watched), target).withForce(true), ProgressListener.NONE);

    assertEquals(List.of(".sqlbak-T.db rw-------"), duringRead,
        "the stream's bytes go to one owner-only file in the private scratch folder");
    assertEquals(dev.sqlbak.storage.Location.of(Path.of("/dev/stdin")), r.backup());
    assertEquals(contentDigest(wal), contentDigest(target));
    assertEquals("rollback", TestDatabases.headerJournalMode(target));
    assertNotNull(r.safetyCopy());
    assertEquals(old, contentDigest(r.safetyCopy()));
  }

  @Test
  void aPlainStreamCutShortIsBadAndNoSafetyCopyIsMade() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 400);
    byte[] bytes = Files.readAllBytes(source);
    Path target = createSample(dir.resolve("live.db"), false, 10);
    Map<String, String> before = TestDatabases.snapshot(dir);

    SqlbakException e = assertThrows(SqlbakException.class, () -> engine.restore(
        RestoreRequest.of(stdin(Arrays.copyOf(bytes, bytes.length / 2 + 100)), target).withForce(true),
        ProgressListener.NONE));

    assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind());
    assertTrue(e.getMessage().startsWith("backup is bad: /dev/stdin: "), e.getMessage());
    assertEquals(before, TestDatabases.snapshot(dir), "the target untouched, no safety copy");
  }
}
