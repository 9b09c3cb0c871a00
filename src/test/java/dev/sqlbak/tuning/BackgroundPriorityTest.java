package dev.sqlbak.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sqlbak.e2e.PriorityIT;
import dev.sqlbak.e2e.RestoreIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a thread's nice value from {@code /proc}. Lowering it is per process and for good, so
 * PriorityIT and RestoreIT watch that on real sqlbak processes.
 */
class BackgroundPriorityTest {
  @TempDir Path dir;

  @Test
  void niceIsField19EvenWhenTheThreadNameHoldsSpacesAndParentheses() throws Exception {
    Path task = Files.createDirectory(dir.resolve("4242"));
    // A thread may name itself anything, ") 5 (" included; field 19 (nice) is 7 here, 18 is 27.
    Files.writeString(task.resolve("stat"), "4242 (odd) 5 (name) S 1 4242 4242 0 -1 4194560 1 0 0 0 3 1 0 0"
        + " 27 7 16 0 12345 0 0\n");
    assertEquals(OptionalInt.of(7), BackgroundPriority.niceOf(task));
  }

  @Test
  void aThreadThatEndedHasNoNiceValue() {
    assertEquals(OptionalInt.empty(), BackgroundPriority.niceOf(dir.resolve("gone")));
  }

  @Test
  void thisThreadsOwnNiceValueIsReadable() throws Exception {
    Path self = Path.of("/proc/thread-self");
    assumeTrue(Files.isDirectory(self), "needs Linux's /proc");
    OptionalInt nice = BackgroundPriority.niceOf(self);
    assertTrue(nice.isPresent());
    assertTrue(nice.getAsInt() >= -20 && nice.getAsInt() <= 19, "nice " + nice);
  }
}
