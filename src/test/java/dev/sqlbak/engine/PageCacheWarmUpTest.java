package dev.sqlbak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sqlbak.TestCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageCacheWarmUpTest {
  @TempDir Path dir;

  @Test
  void writesTheWholeAmountAndLeavesNoFile() {
    assumeTrue(PageCacheRoom.holdsUnwritten(PageCacheWarmUp.MIN_BYTES), "this machine's writeback settings cannot be read");
    Path scratch = dir.resolve("x.warm");

    long written = PageCacheWarmUp.warm(scratch, PageCacheWarmUp.MIN_BYTES + 12345);

    assertEquals(PageCacheWarmUp.MIN_BYTES + 12345, written);
    assertFalse(Files.exists(scratch), "the scratch file must be gone");
  }

  @Test
  void writesNothingForASmallCopy() {
    assertEquals(0, PageCacheWarmUp.warm(dir.resolve("x.warm"), PageCacheWarmUp.MIN_BYTES - 1));
    assertFalse(Files.exists(dir.resolve("x.warm")));
  }

  @Test
  void leavesAFileAlreadyAtTheScratchNameAsItWas() throws Exception {
    assumeTrue(PageCacheRoom.holdsUnwritten(PageCacheWarmUp.MIN_BYTES), "this machine's writeback settings cannot be read");
    Path scratch = Files.write(dir.resolve("x.warm"), new byte[] {1, 2, 3});

    assertEquals(0, PageCacheWarmUp.warm(scratch, PageCacheWarmUp.MIN_BYTES));

    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(scratch));
  }

  @Test
  void stopsAtAFullDiskAndRemovesWhatItWrote() throws Exception {
    assumeTrue(PageCacheRoom.holdsUnwritten(PageCacheWarmUp.MIN_BYTES), "this machine's writeback settings cannot be read");
    Path small = Files.createDirectory(dir.resolve("small"));
    assumeTrue(TestCommands.succeeds("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString()),
        "needs root to mount a 2 MiB tmpfs (mount -t tmpfs); not available here");
    try {
      long written = PageCacheWarmUp.warm(small.resolve("x.warm"), PageCacheWarmUp.MIN_BYTES);

      assertTrue(written > 0 && written <= 2 << 20, "must stop where the 2 MiB filesystem is full: " + written);
      assertFalse(Files.exists(small.resolve("x.warm")), "the scratch file must be gone");
      assertEquals(small.toFile().getTotalSpace(), small.toFile().getUsableSpace(), "the space must be free again");
    } finally {
      TestCommands.succeeds("umount", small.toString());
    }
  }
}
