package dev.sqlbak.tuning;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of every thread of this process to nice {@value #NICE}, once and for
 * good, when a backup's remaining work holds up no other process.
 *
 * <p>On a machine with few cores the backup's copy, check and hashing compete with the
 * application for the CPU; measured on 2 cores, a WAL-mode writer committing back to back had a
 * p99 commit latency of 1.5-2.8 ms during a backup at normal priority and 0.8-1.1 ms at nice 10
 * (0.2-0.6 ms with no backup running). But while a rollback-journal source is locked for the copy, its writers wait
 * for sqlbak, and a lowered priority would make them wait longer on a busy machine; so the engine
 * calls this only where nobody waits for it: a WAL-mode snapshot, or after the snapshot ended.
 *
 * <p>An unprivileged process cannot raise its priority again, so this is once per process.
 * Java has no call for it: the {@code renice} command (util-linux, BusyBox, BSD) sets each
 * thread, listed in {@code /proc/self/task}, in the background, and anything that fails (no
 * {@code /proc}, no {@code renice}) leaves the priority as it was. A thread already at nice
 * {@value #NICE} or lower priority keeps its own.
 */
public final class BackgroundPriority {
  /** Enough for the scheduler to prefer the application whenever both want a core. */
  static final int NICE = 10;
  /**
   * How long the work must still be running before it is worth lowering: the renice is a process
   * spawn (measured: a 1 MiB backup took 0.26 s instead of 0.24 s with it), while a backup that is
   * over sooner than this has hardly competed with anybody.
   */
  static final long DELAY_MILLIS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final AtomicBoolean REQUESTED = new AtomicBoolean();

  private BackgroundPriority() {}

  /**
   * Lowers this process's priority, once, {@value #DELAY_MILLIS} ms from now if it is still
   * running then; returns at once.
   */
  public static void lower() {
    if (!REQUESTED.compareAndSet(false, true)) {
      return;
    }
    // Threads started after the renice inherit the priority of the thread that starts them, and
    // the renice runs beside the backup instead of in its way.
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(DELAY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      reniceAllThreads();
    }, "sqlbak-priority");
    t.setDaemon(true);
    t.start();
  }

  private static void reniceAllThreads() {
    try {
      List<String> tasks = threadsAboveBackgroundPriority();
      if (tasks.isEmpty()) {
        return;
      }
      // The bare priority (no -n) is absolute in every renice; -n is relative in some.
      List<String> command = new ArrayList<>(List.of("renice", Integer.toString(NICE), "-p"));
      command.addAll(tasks);
      Process renice = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      // A thread that ended after it was listed makes renice exit 1 and changes nothing else.
      int status = renice.waitFor();
      long lowered = tasks.stream()
          .filter(task -> niceOf(TASKS.resolve(task)).orElse(Integer.MIN_VALUE) >= NICE).count();
      LOG.debug("lowered {} of {} threads to nice {} (renice exit {})", lowered, tasks.size(), NICE, status);
    } catch (IOException e) {
      LOG.debug("cannot lower the priority: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> threadsAboveBackgroundPriority() throws IOException {
    List<String> tasks = new ArrayList<>();
    if (!Files.isDirectory(TASKS)) {
      return tasks;
    }
    try (DirectoryStream<Path> all = Files.newDirectoryStream(TASKS)) {
      for (Path task : all) {
        OptionalInt nice = niceOf(task);
        if (nice.isPresent() && nice.getAsInt() < NICE) {
          tasks.add(task.getFileName().toString());
        }
      }
    }
    return tasks;
  }

  /** The nice value of a thread, from its {@code stat} file; empty if it is gone or unreadable. */
  static OptionalInt niceOf(Path task) {
    try {
      String stat = Files.readString(task.resolve("stat"));
      // Fields after the command name, which is in parentheses and may hold anything, start
      // with field 3 (state); nice is field 19.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return OptionalInt.of(Integer.parseInt(fields[19 - 3]));
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }
}
