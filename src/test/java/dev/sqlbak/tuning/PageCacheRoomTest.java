package dev.sqlbak.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How much unwritten copy the page cache can hold, read from made-up and real /proc files. */
class PageCacheRoomTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  @TempDir Path root;

  private void machine(long availableKb, long dirtyKb, long writebackKb, int ratio, long backgroundBytes)
      throws IOException {
    write("proc/meminfo", "MemTotal:       33554432 kB\nMemFree:         1000000 kB\nMemAvailable:   "
        + availableKb + " kB\nDirty:          " + dirtyKb + " kB\nWriteback:      " + writebackKb
        + " kB\nWritebackTmp:   999999 kB\n");
    write("proc/sys/vm/dirty_background_ratio", ratio + "\n");
    write("proc/sys/vm/dirty_background_bytes", backgroundBytes + "\n");
  }

  private void write(String file, String content) throws IOException {
    Path p = root.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void halfOfWhatIsLeftBelowTheBackgroundRatioOfAvailableMemory() throws Exception {
    machine(10 * GIB / 1024, 100 * MIB / 1024, 20 * MIB / 1024, 10, 0);
    long threshold = 10 * GIB / 100 * 10;
    assertEquals(OptionalLong.of((threshold - 120 * MIB) / 2), PageCacheRoom.room(root));
  }

  @Test
  void anAbsoluteBackgroundThresholdWinsOverTheRatio() throws Exception {
    machine(10 * GIB / 1024, 0, 0, 10, 300 * MIB);
    write("proc/self/cgroup", "0::/small\n");
    write("sys/fs/cgroup/small/memory.max", String.valueOf(GIB));
    write("sys/fs/cgroup/small/memory.current", "0");
    assertEquals(OptionalLong.of(150 * MIB), PageCacheRoom.room(root));
  }

  @Test
  void aCgroupMemoryLimitMakesTheRoomSmaller() throws Exception {
    machine(10 * GIB / 1024, 0, 0, 10, 0);
    write("proc/self/cgroup", "0::/system.slice/cron.service\n");
    write("sys/fs/cgroup/system.slice/cron.service/memory.max", 2 * GIB + "\n");
    write("sys/fs/cgroup/system.slice/cron.service/memory.current", GIB + "\n");
    assertEquals(OptionalLong.of(GIB / 100 * 10 / 2), PageCacheRoom.room(root));

    write("sys/fs/cgroup/system.slice/cron.service/memory.max", "max\n");
    assertEquals(OptionalLong.of(10 * GIB / 100 * 10 / 2), PageCacheRoom.room(root));
  }

  @Test
  void aLimitAboveTheProcesssOwnGroupCountsToo() throws Exception {
    machine(10 * GIB / 1024, 0, 0, 10, 0);
    write("proc/self/cgroup", "0::/user.slice/user-1000.slice/session-3.scope\n");
    write("sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.max", "max\n");
    write("sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.current", GIB + "\n");
    write("sys/fs/cgroup/user.slice/user-1000.slice/memory.max", 3 * GIB + "\n");
    write("sys/fs/cgroup/user.slice/user-1000.slice/memory.current", GIB + "\n");
    write("sys/fs/cgroup/user.slice/memory.max", 8 * GIB + "\n");
    write("sys/fs/cgroup/user.slice/memory.current", 4 * GIB + "\n");
    // The slice of the user leaves 2 GiB, less than the session (no limit) or user.slice (4 GiB).
    assertEquals(OptionalLong.of(2 * GIB / 100 * 10 / 2), PageCacheRoom.room(root));

    write("sys/fs/cgroup/user.slice/memory.current", 7 * GIB + "\n");
    assertEquals(OptionalLong.of(GIB / 100 * 10 / 2), PageCacheRoom.room(root));
  }

  @Test
  void moreDirtyMemoryThanTheThresholdLeavesNoRoom() throws Exception {
    machine(GIB / 1024, GIB / 1024, 0, 10, 0);
    assertEquals(OptionalLong.of(0), PageCacheRoom.room(root));
  }

  @Test
  void withoutTheFiguresThereIsNoRoomAtAll() throws Exception {
    assertEquals(OptionalLong.empty(), PageCacheRoom.room(root));
    write("proc/meminfo", "MemTotal: 1000 kB\n");
    write("proc/sys/vm/dirty_background_ratio", "10\n");
    write("proc/sys/vm/dirty_background_bytes", "0\n");
    assertEquals(OptionalLong.empty(), PageCacheRoom.room(root));
  }

  /**
   * On this machine, against the kernel's own threshold in /proc/vmstat: a sysctl file read the
   * way Files.readString reads it gives "1" for "10", which made the threshold ten times too small.
   */
  @Test
  void onThisMachineTheThresholdMatchesTheKernelsOwn() throws Exception {
    Path vmstat = Path.of("/proc/vmstat");
    assumeTrue(Files.isReadable(vmstat) && Files.isReadable(Path.of("/proc/sys/vm/dirty_background_ratio")),
        "not Linux");
    assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "pages are 4 KiB only on x86-64 for sure");
    long thresholdPages = -1;
    for (String line : Files.readAllLines(vmstat)) {
      if (line.startsWith("nr_dirty_background_threshold ")) {
        thresholdPages = Long.parseLong(line.split(" ")[1]);
      }
    }
    assumeTrue(thresholdPages > 0, "no nr_dirty_background_threshold in /proc/vmstat");
    long kernel = thresholdPages * 4096;

    long ours = PageCacheRoom.threshold(Path.of("/")).orElseThrow();

    // The kernel counts only memory it could use for dirty pages, not quite MemAvailable, and
    // both move while the test runs; a misread ratio is off by a factor.
    assertTrue(Math.abs(ours - kernel) < kernel / 5 + 64 * MIB, ours + " against the kernel's " + kernel);
    long room = PageCacheRoom.room(Path.of("/")).orElseThrow();
    assertTrue(room <= ours / 2, room + " is more than half the threshold " + ours);
  }
}
