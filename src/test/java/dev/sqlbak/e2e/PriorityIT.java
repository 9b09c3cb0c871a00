package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sqlbak.TestDatabases;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sqlbak's CPU priority, watched from outside through {@code /proc}: while a rollback-journal
 * source is locked for the copy its writers wait for sqlbak, so the copy runs at the priority
 * sqlbak was started with; a WAL-mode source's writers never wait, so its copy already runs at
 * nice 10; either way everything after the copy does.
 *
 * <p>The priority is per process and cannot be raised again, so only separate processes can show
 * this; the in-process tests' JVM is lowered by its first backup.
 */
@DisabledIfEnvironmentVariable(named = "SQLBAK_TUNING", matches = "off",
    disabledReason = "tests the lowered priority itself, which the plain-tuning pass turns off")
public class PriorityIT {
  private static final Pattern PROGRESS = Sqlbak.PROGRESS;
  private static final int BACKGROUND_NICE = 10;

  @TempDir Path dir;

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void theCopyKeepsItsPriorityOnlyWhileWritersWaitForIt(boolean wal) throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc to see thread priorities");
    int startedAt = niceOf(Path.of("/proc/thread-self"));
    assumeTrue(startedAt < BACKGROUND_NICE, "this test runs at nice " + startedAt + " already");
    // 1 KiB pages and a page per step: tens of thousands of steps, time enough to stop the copy
    // and let it run in slices; gzip makes the work after the copy outlast the lowering's delay.
    Path source = TestDatabases.createLarge(dir.resolve("live.db"), wal, 48, 1024);
    String digest = TestDatabases.contentDigest(source);
    Files.createDirectory(dir.resolve("out"));

    Sqlbak.Result r;
    Map<String, Integer> whileCopying;
    try (Sqlbak.Running backup = Sqlbak.start(dir, "backup", "-v", "--pages", "1", "--progress", "plain",
        "--compress", "gzip", "live.db", "out/copy.db")) {
      String line = backup.awaitMidCopyProgress();
      assertNotNull(line, "no progress before the copy ended; stderr:\n" + backup.stderrSoFar());
      Sqlbak.signal(backup.pid(), "STOP");
      try {
        assertFalse(RestoreIT.copyFinished(backup.stderrSoFar()),
            "the copy ended before it could be paused; make the source bigger");
        Path tasks = Path.of("/proc/" + backup.pid() + "/task");
        if (wal) {
          whileCopying = awaitLoweredMidCopy(backup, tasks);
        } else {
          Thread.sleep(500); // time for a wrongly early renice to land
          whileCopying = nicesOf(tasks);
        }
      } finally {
        Sqlbak.signal(backup.pid(), "CONT");
      }
      r = backup.waitFor(Sqlbak.DEFAULT_TIMEOUT);
    }

    assertEquals(0, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    assertFalse(whileCopying.isEmpty(), "no threads seen");
    int expected = wal ? BACKGROUND_NICE : startedAt;
    whileCopying.forEach((thread, nice) -> assertEquals(expected, nice,
        "thread " + thread + " during the copy, wal=" + wal + "; all: " + whileCopying));

    List<String> lines = r.stderrLines();
    Pattern lowered = Pattern.compile(".*BackgroundPriority - lowered ([1-9]\\d*) of \\d+ threads to nice "
        + BACKGROUND_NICE + " .*");
    int renice = indexOf(lines, l -> lowered.matcher(l).matches());
    assertTrue(renice >= 0, "sqlbak -v reports lowering its threads' priority; " + r.describe());
    int copyEnd = indexOf(lines, l -> {
      Matcher m = PROGRESS.matcher(l);
      return m.matches() && m.group(1).equals(m.group(2));
    });
    assertTrue(copyEnd >= 0, r.describe());
    if (!wal) {
      assertTrue(renice > copyEnd, "a rollback-journal source: lowered only after the copy; " + r.describe());
    }

    Path copy = dir.resolve("copy.db");
    try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(dir.resolve("out/copy.db.gz")))) {
      Files.copy(in, copy);
    }
    assertEquals("ok", TestDatabases.integrityCheck(copy));
    assertEquals(digest, TestDatabases.contentDigest(copy));
  }

  /** The nice value of every thread of a process, by thread id. */
  static Map<String, Integer> nicesOf(Path tasks) throws IOException {
    Map<String, Integer> nices = new TreeMap<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
      for (Path task : all) {
        try {
          nices.put(task.getFileName().toString(), niceOf(task));
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return nices;
  }

  /**
   * Lets the stopped backup run in short slices until every thread is at the background nice
   * value, and returns the values seen then; fails if the copy ends first. The lowering waits a
   * little in sqlbak (which passes while it is stopped) and then needs a moment of CPU to start
   * renice, which then changes the threads whether they run or not.
   */
  private static Map<String, Integer> awaitLoweredMidCopy(Sqlbak.Running backup, Path tasks) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Thread.sleep(150);
    Map<String, Integer> seen = nicesOf(tasks);
    while (seen.values().stream().anyMatch(n -> n < BACKGROUND_NICE) && System.nanoTime() < deadline) {
      assertFalse(RestoreIT.copyFinished(backup.stderrSoFar()),
          "the copy ended before sqlbak lowered its priority; threads: " + seen);
      Sqlbak.signal(backup.pid(), "CONT");
      Thread.sleep(5);
      Sqlbak.signal(backup.pid(), "STOP");
      Thread.sleep(100);
      seen = nicesOf(tasks);
    }
    assertFalse(RestoreIT.copyFinished(backup.stderrSoFar()), "the copy ended meanwhile; threads: " + seen);
    return seen;
  }

  /** Field 19 of {@code stat}, counted after the parenthesised command name, which may hold spaces. */
  static int niceOf(Path task) throws IOException {
    String stat = Files.readString(task.resolve("stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Integer.parseInt(fields[19 - 3]);
  }

  private static int indexOf(List<String> lines, java.util.function.Predicate<String> wanted) {
    for (int i = 0; i < lines.size(); i++) {
      if (wanted.test(lines.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
