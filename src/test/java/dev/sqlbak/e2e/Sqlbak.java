package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Runs the built {@code target/sqlbak} launcher as a real process and captures what it did. */
public final class Sqlbak {
  /** Long enough for a 200 MiB backup on a slow, shared CI machine; a hang fails instead of blocking. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
  /** A {@code --progress plain} line: the pages copied so far, and in all. */
  public static final java.util.regex.Pattern PROGRESS =
      java.util.regex.Pattern.compile("copied (\\d+) of (\\d+) pages");

  private Sqlbak() {}

  /** The launcher under test: failsafe passes it as {@code sqlbak.launcher}. */
  public static Path launcher() {
    String configured = System.getProperty("sqlbak.launcher");
    Path path = Path.of(configured != null ? configured : "target/sqlbak").toAbsolutePath();
    assertTrue(Files.isExecutable(path),
        "no executable launcher at " + path + "; build it with ./mvnw package (failsafe sets sqlbak.launcher)");
    return path;
  }

  /** Runs {@code sqlbak args...} in {@code cwd} to completion. */
  public static Result run(Path cwd, String... args) {
    try (Running running = start(cwd, args)) {
      return running.waitFor(DEFAULT_TIMEOUT);
    }
  }

  /**
   * As {@link #run(Path, String...)} with changes to the environment: a null value removes the
   * variable. The launcher's own environment handling (the locale) is part of what is tested.
   */
  public static Result runWithEnvironment(Path cwd, java.util.Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(Arrays.asList(args));
    try (Running running = Running.start(command, cwd, env)) {
      return running.waitFor(DEFAULT_TIMEOUT);
    }
  }

  /** As {@link #run(Path, String...)} under {@code ulimit -f} of {@code kib} KiB per file written. */
  public static Result runWithFileSizeLimit(Path cwd, long kib, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + kib + " && exec \"$0\" \"$@\"",
        launcher().toString()));
    command.addAll(Arrays.asList(args));
    try (Running running = Running.start(command, cwd)) {
      return running.waitFor(DEFAULT_TIMEOUT);
    }
  }

  /**
   * As {@link #runWithEnvironment} under the file-creation mask {@code umask} (octal, such as
   * {@code 077}), set by the shell that starts sqlbak, as a cron job's or a login shell's would be.
   */
  public static Result runWithUmask(Path cwd, String umask, java.util.Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of("sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\"",
        launcher().toString()));
    command.addAll(Arrays.asList(args));
    try (Running running = Running.start(command, cwd, env)) {
      return running.waitFor(DEFAULT_TIMEOUT);
    }
  }

  /**
   * Runs a bash {@code script} in {@code cwd} to completion, with {@code $SQLBAK} naming the launcher
   * and {@code env} added: for pipelines between real sqlbak processes ({@code "$SQLBAK" backup -q
   * a.db - | "$SQLBAK" restore - x.db}). Its exit code is that of the script's last command.
   */
  public static Result runScript(Path cwd, java.util.Map<String, String> env, String script) {
    java.util.Map<String, String> all = new java.util.HashMap<>(env);
    all.put("SQLBAK", launcher().toString());
    try (Running running = Running.start(List.of("bash", "-c", script), cwd, all, Path.of("/dev/null"))) {
      return running.waitFor(DEFAULT_TIMEOUT);
    }
  }

  /**
   * As {@link #start(Path, String...)} with {@code env} added and standard input read from {@code
   * stdin} (a FIFO needs a writer open first, or starting blocks).
   */
  public static Running startWithStdin(Path cwd, Path stdin, java.util.Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(Arrays.asList(args));
    return Running.start(command, cwd, env, stdin);
  }

  /** Starts {@code sqlbak args...} in {@code cwd}; the caller waits for it or kills it. */
  public static Running start(Path cwd, String... args) {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(Arrays.asList(args));
    return Running.start(command, cwd);
  }

  /**
   * As {@link #start(Path, String...)}, through {@code env --default-signal=INT} (GNU coreutils
   * 8.31+): a process started in the background by a non-interactive shell inherits SIGINT as
   * ignored, and a JVM cannot undo that for its children, but env can before it execs sqlbak.
   * Returns null where env has no such option.
   */
  public static Running startWithDefaultSigint(Path cwd, String... args) {
    return startWithDefaultSigint(cwd, java.util.Map.of(), args);
  }

  /** As {@link #startWithDefaultSigint(Path, String...)}, with {@code env} added to the environment. */
  public static Running startWithDefaultSigint(Path cwd, java.util.Map<String, String> env, String... args) {
    try {
      Process probe = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0) {
        return null;
      }
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", launcher().toString()));
    command.addAll(Arrays.asList(args));
    return Running.start(command, cwd, env);
  }

  /** Whether {@code pid} ignores signal {@code number}, from the SigIgn mask in /proc. */
  public static boolean ignoresSignal(long pid, int number) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
        return (mask & (1L << (number - 1))) != 0;
      }
    }
    return false;
  }

  /** Sends a signal by name ({@code INT}, {@code TERM}, {@code STOP}, {@code CONT}) to a process. */
  public static void signal(long pid, String name) {
    try {
      // The shell's builtin kill: a kill executable is not on every minimal system.
      Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " \"$1\"", "sh", Long.toString(pid))
          .redirectErrorStream(true).start();
      String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        fail("kill -" + name + " " + pid + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** How a finished run ended: exit code and everything it printed. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    /** The stderr lines, without the trailing empty one (an empty line inside still counts). */
    public List<String> stderrLines() {
      return stderr.isEmpty() ? List.of() : List.of(stderr.split("\r?\n"));
    }

    /** The stdout lines, without the trailing empty one. */
    public List<String> stdoutLines() {
      return stdout.isEmpty() ? List.of() : List.of(stdout.split("\r?\n"));
    }

    /** A description for assertion messages: the command and what it printed, long output elided. */
    public String describe() {
      int first = command.indexOf(launcher().toString()) + 1;
      return "sqlbak " + String.join(" ", command.subList(first, command.size())) + " -> exit " + exitCode
          + "\n--- stdout ---\n" + abbreviate(stdout) + "--- stderr ---\n" + abbreviate(stderr) + "---";
    }

    /** Thousands of progress lines would bury the lines that matter: keep the head and the tail. */
    private static String abbreviate(String text) {
      List<String> lines = List.of(text.split("\n", -1));
      if (lines.size() <= 60) {
        return text;
      }
      return String.join("\n", lines.subList(0, 10)) + "\n[... " + (lines.size() - 40) + " lines ...]\n"
          + String.join("\n", lines.subList(lines.size() - 30, lines.size()));
    }
  }

  /**
   * A sqlbak process in progress. Output goes to files outside every folder under test, so that a
   * full pipe never stalls the process and the test can read progress while it runs.
   */
  public static final class Running implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final Path outputDir;
    private final Path stdoutFile;
    private final Path stderrFile;

    private Running(List<String> command, Process process, Path outputDir) {
      this.command = command;
      this.process = process;
      this.outputDir = outputDir;
      this.stdoutFile = outputDir.resolve("stdout");
      this.stderrFile = outputDir.resolve("stderr");
    }

    static Running start(List<String> command, Path cwd) {
      return start(command, cwd, java.util.Map.of());
    }

    static Running start(List<String> command, Path cwd, java.util.Map<String, String> env) {
      return start(command, cwd, env, Path.of("/dev/null"));
    }

    static Running start(List<String> command, Path cwd, java.util.Map<String, String> env, Path stdin) {
      try {
        Path out = Files.createTempDirectory("sqlbak-e2e-output");
        ProcessBuilder pb = new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
            .redirectOutput(out.resolve("stdout").toFile())
            .redirectError(out.resolve("stderr").toFile());
        // The user's tuning of the launcher must not change what the tests see.
        pb.environment().remove("SQLBAK_JAVA_OPTS");
        env.forEach((name, value) -> {
          if (value == null) {
            pb.environment().remove(name);
          } else {
            pb.environment().put(name, value);
          }
        });
        return new Running(command, pb.start(), out);
      } catch (IOException e) {
        throw new IllegalStateException("cannot start " + command, e);
      }
    }

    /** The process id: the JVM's, because the launcher execs java. */
    public long pid() {
      return process.pid();
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** What the process has written to stderr so far. */
    public String stderrSoFar() {
      try {
        return Files.readString(stderrFile, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }

    /**
     * Polls stderr until a line satisfies {@code wanted} and returns it, or returns null if the
     * process ends or {@code timeout} passes first.
     */
    public String awaitStderrLine(Predicate<String> wanted, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        boolean alive = process.isAlive();
        for (String line : stderrSoFar().split("\n")) {
          if (wanted.test(line)) {
            return line;
          }
        }
        if (!alive) {
          return null;
        }
        sleep(5);
      }
      return null;
    }

    /**
     * Waits up to 60 s for a {@code --progress plain} line of a copy under way (not its last) and
     * returns it, or null if the copy or the process ended first.
     */
    public String awaitMidCopyProgress() {
      return awaitStderrLine(l -> {
        java.util.regex.Matcher m = PROGRESS.matcher(l);
        return m.matches() && !m.group(1).equals(m.group(2));
      }, Duration.ofSeconds(60));
    }

    /** Sends SIGKILL, which gives the process no chance to clean up. */
    public void kill9() {
      process.destroyForcibly();
    }

    /** Waits for the process to end; a process still running at {@code timeout} is killed and fails the test. */
    public Result waitFor(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          fail("sqlbak did not finish within " + timeout + ": " + command + "\nstderr so far:\n" + stderrSoFar());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        return new Result(command, process.exitValue(),
            Files.readString(stdoutFile, StandardCharsets.UTF_8),
            Files.readString(stderrFile, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the output of " + command, e);
      }
    }

    /** Kills the process if it is still running (a failed test must not leave it behind). */
    @Override
    public void close() {
      if (process.isAlive()) {
        // SIGKILL also ends a process a test left stopped with SIGSTOP.
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        Files.deleteIfExists(stdoutFile);
        Files.deleteIfExists(stderrFile);
        Files.deleteIfExists(outputDir);
      } catch (IOException e) {
        // only the capture files of this run; harmless if they stay in the system temp folder
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
