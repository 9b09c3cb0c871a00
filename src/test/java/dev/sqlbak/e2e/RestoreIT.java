package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sqlbak restore} and {@code verify} as real processes: round trips, a bad backup refused
 * without touching anything, and, the key promise, a second process reading the target all through
 * a {@code restore --force} sees the old content, then the new one, never a mix and never an error.
 */
public class RestoreIT {
  static final Pattern PROGRESS = Sqlbak.PROGRESS;
  private static final Pattern RESTORED =
      Pattern.compile("restored (.+) into (.+): (\\d+) pages; previous content saved as (.+)");
  /** How long the restore is held stopped mid-copy, for the reader to read meanwhile. */
  private static final long PAUSE_MILLIS = 400;

  @TempDir Path dir;

  /**
   * One database state of the reader test: table {@code t} holds rows 1..rows with
   * {@code v = id * multiplier}, table {@code m} one row {@code marker}, and table {@code bulk}
   * about {@code bulkMib} MiB of random blobs, so that copying it takes many backup steps.
   */
  record Content(int rows, int multiplier, String marker, int bulkMib) {
    /** What the reader prints for this state: count and sum of t, and the marker. */
    String fingerprint() {
      return rows + " " + (long) multiplier * rows * (rows + 1) / 2 + " " + marker;
    }
  }

  // A state that mixed old and new pages would show another count, sum or marker (or be corrupt).
  static final Content OLD = new Content(10_000, 1, "old", 6);
  static final Content NEW = new Content(20_000, 3, "new", 16);

  @Test
  void verifyAndRestoreOfAPlainCopyOfAWalModeFileLeaveNothingBesideIt() throws Exception {
    Path source = TestDatabases.createSample(dir.resolve("app.db"), true, 2000);
    Path folder = Files.createDirectory(dir.resolve("copies"));
    TestDatabases.plainCopyOfWalFile(source, folder.resolve("cp.db"));

    Sqlbak.Result v = Sqlbak.run(dir, "verify", "--against", "app.db", "copies/cp.db");
    Sqlbak.Result r = Sqlbak.run(dir, "restore", "-q", "copies/cp.db", "restored.db");

    assertEquals(0, v.exitCode(), v.describe());
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals(List.of("cp.db"), TestDatabases.listing(folder), v.describe() + r.describe());
    assertEquals(TestDatabases.contentDigest(source), TestDatabases.contentDigest(dir.resolve("restored.db")));
  }

  @ParameterizedTest(name = "wal={0} suffix=''{1}''")
  @CsvSource({"false, ''", "true, ''", "false, .zst", "true, .zst"})
  void backupThenRestoreGivesBackTheSourceAndVerifyCatchesAFlippedByte(boolean wal, String suffix)
      throws Exception {
    Path source = TestDatabases.createSample(dir.resolve("app.db"), wal, 2000);
    String sourceDigest = TestDatabases.contentDigest(source);
    Files.createDirectory(dir.resolve("out"));
    Files.createDirectory(dir.resolve("restored"));
    String backupName = "out/app-copy.db" + suffix;
    Path backup = dir.resolve(backupName);

    Sqlbak.Result b = Sqlbak.run(dir, "backup", "-q", "app.db", backupName);
    assertEquals(0, b.exitCode(), b.describe());
    assertEquals(List.of(backup.getFileName().toString(), backup.getFileName() + ".sha256"),
        TestDatabases.listing(dir.resolve("out")), b.describe());

    Sqlbak.Result v = Sqlbak.run(dir, "verify", backupName);
    assertEquals(0, v.exitCode(), v.describe());
    assertEquals(1, v.stderrLines().size(), v.describe());
    assertTrue(v.stderrLines().get(0).startsWith(backupName + ": ok (") && v.stderr().contains("sha256"),
        "verify must say the backup is ok, sidecar checked; " + v.describe());

    Sqlbak.Result r = Sqlbak.run(dir, "restore", "--json", backupName, "restored/app.db");
    assertEquals(0, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    JsonObject json = JsonParser.parseString(r.stdout()).getAsJsonObject();
    assertTrue(json.get("created").getAsBoolean(), r.describe());
    assertTrue(json.get("safetyCopy").isJsonNull(), "a new target has nothing to save; " + r.describe());
    Path restored = dir.resolve("restored/app.db");
    assertEquals(restored.toString(), json.get("target").getAsString(), r.describe());
    assertEquals(List.of("app.db"), TestDatabases.listing(dir.resolve("restored")),
        "one self-contained file, no temporary or journal files; " + r.describe());
    assertEquals("rollback", TestDatabases.headerJournalMode(restored));
    assertEquals("ok", TestDatabases.integrityCheck(restored));
    assertEquals(sourceDigest, TestDatabases.contentDigest(restored), "restored content differs from the source");

    long seed = new Random().nextLong();
    Random random = new Random(seed);
    byte[] bytes = Files.readAllBytes(backup);
    int position = random.nextInt(bytes.length);
    bytes[position] ^= (byte) (1 + random.nextInt(255));
    Files.write(backup, bytes);
    Sqlbak.Result bad = Sqlbak.run(dir, "verify", backupName);
    String line = assertCleanFailure(bad, 3);
    assertTrue(line.startsWith("sqlbak: bad backup: " + backupName + ": "),
        "byte " + position + " of " + bytes.length + " flipped (seed " + seed + "); " + bad.describe());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"flipped byte, sidecar present", "damaged page, no sidecar"})
  void aBadBackupIsRefusedWithTheTargetByteIdenticalAndNoSafetyCopy(String damage) throws Exception {
    TestDatabases.createSample(dir.resolve("app.db"), false, 2000);
    Files.createDirectory(dir.resolve("out"));
    Sqlbak.Result b = Sqlbak.run(dir, "backup", "-q", "app.db", "out/app-copy.db");
    assertEquals(0, b.exitCode(), b.describe());
    Path backup = dir.resolve("out/app-copy.db");
    long seed = new Random().nextLong();
    if (damage.startsWith("flipped")) {
      byte[] bytes = Files.readAllBytes(backup);
      bytes[new Random(seed).nextInt(bytes.length)] ^= 0x01;
      Files.write(backup, bytes);
    } else {
      Files.delete(dir.resolve("out/app-copy.db.sha256"));
      TestDatabases.scribblePage(backup, TestDatabases.middlePage(backup));
    }
    // A WAL-mode target: merely opening it would create -wal and -shm beside it.
    Path live = Files.createDirectory(dir.resolve("live"));
    Path target = TestDatabases.createSample(live.resolve("target.db"), true, 50);
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result r = Sqlbak.run(dir, "restore", "--force", "out/app-copy.db", "live/target.db");

    String line = assertCleanFailure(r, 3);
    assertTrue(line.startsWith("sqlbak: backup is bad: "), "seed " + seed + "; " + r.describe());
    assertEquals(before, TestDatabases.snapshot(dir),
        "target, backup and folders must be exactly as before: no safety copy, nothing opened; seed "
            + seed + "; " + r.describe());
    assertEquals(List.of("target.db"), TestDatabases.listing(live));
  }

  @ParameterizedTest(name = "wal={0} walBackup={1}")
  @CsvSource({"true, false", "false, false", "false, true"})
  void aReaderHoldingTheTargetOpenSeesOldThenNewNeverAMixNeverAnError(boolean wal, boolean walBackup) throws Exception {
    Path target = createContent(dir.resolve("live.db"), wal, OLD);
    String oldDigest = TestDatabases.contentDigest(target);
    createContent(dir.resolve("new.db"), false, NEW);
    String newDigest = TestDatabases.contentDigest(dir.resolve("new.db"));
    Path backup = dir.resolve("new-backup.db");
    if (walBackup) {
      // Not made by sqlbak: a plain copy of a WAL-mode database, "wal" in its header, no sidecar.
      Files.copy(dir.resolve("new.db"), backup);
      try (Connection c = TestDatabases.open(backup); Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
      }
      assertEquals("wal", TestDatabases.headerJournalMode(backup));
    } else {
      Sqlbak.Result b = Sqlbak.run(dir, "backup", "-q", "new.db", "new-backup.db");
      assertEquals(0, b.exitCode(), b.describe());
    }
    assertFalse(oldDigest.equals(newDigest));

    Sqlbak.Result r;
    int atStart;
    int atStop;
    int atCont;
    int reader;
    List<String> lines;
    Map<String, Integer> restoreNices;
    try (ReaderProcess.Handle h = ReaderProcess.start(target, 1)) {
      h.awaitLine(20, l -> true, Duration.ofSeconds(60));
      atStart = h.lines.size();
      try (Sqlbak.Running restore = Sqlbak.start(dir, "restore", "--force", "--pages", "1",
          "--progress", "plain", "--busy-timeout", "30s", "new-backup.db", "live.db")) {
        String progress = restore.awaitMidCopyProgress();
        assertNotNull(progress, "no progress before the copy ended; stderr:\n" + restore.stderrSoFar());
        // Stopped mid-copy: the restore's write transaction on the target stays open meanwhile.
        Sqlbak.signal(restore.pid(), "STOP");
        try {
          atStop = h.lines.size();
          restoreNices = Files.isDirectory(Path.of("/proc/self/task"))
              ? PriorityIT.nicesOf(Path.of("/proc/" + restore.pid() + "/task")) : Map.of();
          assertFalse(copyFinished(restore.stderrSoFar()),
              "the copy ended before it could be paused; make the backup bigger");
          Thread.sleep(PAUSE_MILLIS);
          atCont = h.lines.size();
        } finally {
          Sqlbak.signal(restore.pid(), "CONT");
        }
        r = restore.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      }
      // Keep reading a while after the restore: the reader must carry on with the new content.
      int firstNew = h.awaitLine(0, NEW.fingerprint()::equals, Duration.ofSeconds(10));
      h.awaitLine(firstNew + 20, l -> true, Duration.ofSeconds(60));
      reader = h.stop();
      lines = h.lines;
    }

    String summary = "reader: " + lines.size() + " lines, " + (atStop - atStart) + " while the restore started, "
        + (atCont - atStop) + " while it was stopped mid-copy";
    System.out.println("RestoreIT wal=" + wal + ": " + summary);
    assertEquals(0, reader, "the reader failed: " + lines.get(lines.size() - 1) + "; " + summary);
    assertTrue(lines.get(lines.size() - 1).startsWith("stopped "), "last line: " + lines.get(lines.size() - 1));
    List<String> reads = lines.subList(0, lines.size() - 1);
    int switchAt = -1;
    for (int i = 0; i < reads.size(); i++) {
      String l = reads.get(i);
      if (l.equals(NEW.fingerprint())) {
        if (switchAt < 0) {
          switchAt = i;
        }
      } else if (l.equals(OLD.fingerprint())) {
        if (switchAt >= 0) {
          fail("read " + i + " saw the old content again after read " + switchAt + " saw the new; " + summary);
        }
      } else {
        fail("read " + i + " saw neither the old (" + OLD.fingerprint() + ") nor the new (" + NEW.fingerprint()
            + ") content but '" + l + "'; " + summary);
      }
    }
    assertTrue(switchAt > 0, "the reader must see the old content first, then the new: " + summary);
    assertTrue(switchAt >= atStop, "the reader saw the new content before the copy ended: " + summary);
    assertTrue(atStop - atStart >= 3, "the reader must keep reading while the restore starts: " + summary);
    if (wal) {
      // WAL readers are never blocked by the restore's write transaction, and see the old snapshot.
      assertTrue(atCont - atStop >= 5, "the reader must keep reading during the copy: " + summary);
    }

    // Others wait for the restore's write transaction: its safety copy (a backup) must not have
    // lowered the restore's priority, which could not be raised again.
    if (!restoreNices.isEmpty()) {
      int startedAt = PriorityIT.niceOf(Path.of("/proc/thread-self"));
      restoreNices.forEach((thread, nice) -> assertEquals(startedAt, nice,
          "restore thread " + thread + " while copying; all: " + restoreNices));
    }

    // The restore's own report and what it left.
    assertNoStackTrace(r);
    Matcher done = RESTORED.matcher(r.stderrLines().get(r.stderrLines().size() - 1));
    assertTrue(done.matches(), r.describe());
    Path safetyCopy = Path.of(done.group(4));
    assertTrue(safetyCopy.getFileName().toString().matches("live\\.db\\.pre-restore-\\d{8}T\\d{6}Z"),
        "safety copy name: " + safetyCopy);
    assertEquals(List.of("live.db", safetyCopy.getFileName().toString()),
        TestDatabases.listing(dir).stream().filter(n -> n.startsWith("live.db")).toList(),
        "no -wal, -shm or -journal left beside the target once the reader closed; " + r.describe());
    assertEquals("rollback", TestDatabases.headerJournalMode(safetyCopy));
    assertEquals("ok", TestDatabases.integrityCheck(safetyCopy));
    assertEquals(oldDigest, TestDatabases.contentDigest(safetyCopy), "the safety copy must hold the old content");

    assertEquals(wal ? "wal" : "rollback", TestDatabases.headerJournalMode(target), "the target keeps its mode");
    assertEquals(List.of(wal ? "wal" : "delete"), TestDatabases.column(target, "PRAGMA journal_mode"));
    assertEquals("ok", TestDatabases.integrityCheck(target));
    assertEquals(newDigest, TestDatabases.contentDigest(target), "the target must hold the backup's content");
  }

  /** Creates {@code file} holding {@code content}, in 1 KiB pages (more pages, more backup steps). */
  static Path createContent(Path file, boolean wal, Content content) throws Exception {
    try (Connection c = TestDatabases.open(file); Statement s = c.createStatement()) {
      s.execute("PRAGMA page_size=1024");
      s.execute("PRAGMA journal_mode=" + (wal ? "WAL" : "DELETE"));
      s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad TEXT NOT NULL)");
      s.execute("CREATE INDEX t_v ON t(v)");
      s.execute("CREATE TABLE m(marker TEXT NOT NULL)");
      s.execute("CREATE TABLE bulk(id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
      c.setAutoCommit(false);
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + content.rows()
          + ") INSERT INTO t(id, v, pad) SELECT i, i * " + content.multiplier() + ", '" + content.marker()
          + "-' || i || '-' || hex(randomblob(40)) FROM n");
      s.execute("INSERT INTO m(marker) VALUES ('" + content.marker() + "')");
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + content.bulkMib() * 256
          + ") INSERT INTO bulk(id, b) SELECT i, randomblob(4000) FROM n");
      c.commit();
      if (wal) {
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    return file;
  }

  static boolean copyFinished(String stderr) {
    Matcher m = PROGRESS.matcher(stderr);
    while (m.find()) {
      if (m.group(1).equals(m.group(2))) {
        return true;
      }
    }
    return false;
  }
}
