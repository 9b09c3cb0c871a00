package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kill -9, SIGINT and SIGTERM in the middle of an encrypted backup of a ~40 MiB database to a
 * folder: the folder never holds plain text, not even in a hidden temporary file, and once the
 * next run (a backup or a prune of that folder) has swept, neither does the scratch folder.
 */
class AgeKillIT {
  /** sqlbak's hidden temporary files in a folder. */
  static final Pattern TEMP = Pattern.compile("\\.sqlbak-[0-9a-f]{16}\\..+");
  /** What a trial's backup may publish: {@code trial-N.db.age}, a timestamped one, and their sidecars. */
  static final Pattern PUBLISHED = Pattern.compile("(trial-\\d+\\.db|big-\\d{8}T\\d{6}Z\\.db)\\.age(\\.sha256)?");
  static final int TRIALS = FaultTrials.count("sqlbak.e2e.ageKillTrials", 3, 40);
  private static final int SIGINT = 2;

  @TempDir static Path dir;
  static Path big;
  static Path small;
  static String bigDigest;
  static TestAgeKeys alice;

  @BeforeAll
  static void databases() throws Exception {
    Path src = Files.createDirectory(dir.resolve("src"));
    big = TestDatabases.createLarge(src.resolve("big.db"), false, 40);
    bigDigest = TestDatabases.contentDigest(big);
    small = TestDatabases.createSample(src.resolve("small.db"), false, 100);
    alice = TestAgeKeys.in(src, "alice.key");
  }

  /** The run after a kill, in the folder the killed run backed up to. */
  enum NextRun {
    PRUNE("prune", "--keep-last", "1", "."),
    PLAIN_BACKUP("backup", "-q", "SMALL", "."),
    ENCRYPTED_BACKUP("backup", "-q", "--encrypt-to", "RECIPIENT", "SMALL", ".");

    final List<String> args;

    NextRun(String... args) {
      this.args = List.of(args);
    }

    /** Runs it in {@code folder} with the killed run's TMPDIR; it must succeed. */
    void run(Path folder, Path tmp, String where) throws Exception {
      String[] resolved = args.stream().map(a -> a.equals("SMALL") ? small.toString()
          : a.equals("RECIPIENT") ? alice.recipient() : a).toArray(String[]::new);
      Sqlbak.Result r = Sqlbak.runWithEnvironment(folder, Map.of("TMPDIR", tmp.toString()), resolved);
      assertEquals(0, r.exitCode(), where + ": " + r.describe());
      // What a backup of small.db published is not the test's concern: only what is left over.
      for (String name : TestDatabases.listing(folder)) {
        if (name.startsWith("small-")) {
          Files.delete(folder.resolve(name));
        }
      }
    }

    @Override
    public String toString() {
      return "sqlbak " + String.join(" ", args).replace("SMALL", "small.db").replace("RECIPIENT", "age1…");
    }
  }

  private static Sqlbak.Running start(Path folder, Path tmp, String... args) {
    List<String> command = new ArrayList<>(List.of(Sqlbak.launcher().toString()));
    command.addAll(List.of(args));
    return Sqlbak.Running.start(command, folder, Map.of("TMPDIR", tmp.toString()));
  }

  private static Path scratch(Path tmp) {
    return tmp.resolve("sqlbak-" + System.getProperty("user.name"));
  }

  /** The plain text under {@code roots}, each file with its size, for messages. */
  private static List<String> plainText(Path... roots) throws Exception {
    List<String> found = new ArrayList<>();
    for (Path p : TestAgeKeys.plainTextUnder(roots)) {
      try {
        found.add(p + " (" + Files.size(p) + " bytes)");
      } catch (NoSuchFileException e) {
        // gone meanwhile
      }
    }
    return found;
  }

  /** Waits until the run writes ciphertext into the folder's temporary age file; fails if it never does. */
  private static void awaitCiphertext(Sqlbak.Running run, Path folder) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && run.isAlive()) {
      for (String name : TestDatabases.listing(folder)) {
        try {
          if (TEMP.matcher(name).matches() && name.endsWith(".age") && Files.size(folder.resolve(name)) > 0) {
            return;
          }
        } catch (NoSuchFileException e) {
          // published or removed meanwhile
        }
      }
      Thread.sleep(2);
    }
    fail("no ciphertext was written before the run ended; stderr:\n" + run.stderrSoFar());
  }

  @ParameterizedTest(name = "killed while {0}, then {1}")
  @CsvSource({"encrypting, PRUNE", "encrypting, PLAIN_BACKUP", "encrypting, ENCRYPTED_BACKUP", "copying, PRUNE"})
  void aKillLeavesPlainTextOnlyInTheScratchFolderAndTheNextRunSweepsIt(String moment, NextRun next)
      throws Exception {
    Path folder = Files.createDirectory(dir.resolve(moment + "-" + next.name()));
    Path tmp = Files.createDirectory(dir.resolve("tmp-" + moment + "-" + next.name()));
    try (Sqlbak.Running run = start(folder, tmp, "backup", "--pages", "16", "--progress", "plain", "--encrypt-to",
        alice.recipient(), big.toString(), ".")) {
      if (moment.equals("copying")) {
        assertNotNull(run.awaitMidCopyProgress(), "no progress before the copy ended; " + run.stderrSoFar());
      } else {
        awaitCiphertext(run, folder);
      }
      run.kill9();
      assertEquals(137, run.waitFor(Duration.ofSeconds(30)).exitCode());
    }
    assertEquals(List.of(), plainText(folder), "the destination folder right after the kill");
    assertFalse(plainText(scratch(tmp)).isEmpty(), "the premise: killed while " + moment + ", the run left its"
        + " plain copy in the scratch folder; " + TestDatabases.scratchFiles(tmp));

    next.run(folder, tmp, "after a kill while " + moment);

    assertEquals(List.of(), plainText(folder, scratch(tmp)), "after a kill -9 while " + moment + " and then `"
        + next + "` (exit 0) in the destination folder with the same TMPDIR, the killed run's plain copy of the"
        + " database must be gone; scratch folder: " + TestDatabases.scratchFiles(tmp));
    assertEquals(List.of(), TestDatabases.listing(folder).stream().filter(n -> TEMP.matcher(n).matches()).toList(),
        "the dead run's temporary files in the destination folder are swept");
  }

  @Test
  void killedAtRandomMomentsNeverLeavesPlainTextAndTheNextRunSweepsIt() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("random"));
    Path tmp = Files.createDirectory(dir.resolve("tmp-random"));
    long seed = FaultTrials.seed();
    Random random = new Random(seed);
    long runMillis = Long.MAX_VALUE;
    for (int warm = 0; warm < 2; warm++) {
      long t0 = System.nanoTime();
      Sqlbak.Result whole = Sqlbak.runWithEnvironment(folder, Map.of("TMPDIR", tmp.toString()), "backup", "-q",
          "--encrypt-to", alice.recipient(), big.toString(), "whole.db");
      runMillis = Math.min(runMillis, (System.nanoTime() - t0) / 1_000_000);
      assertEquals(0, whole.exitCode(), whole.describe());
      assertEquals(List.of("whole.db.age", "whole.db.age.sha256"), TestDatabases.listing(folder));
      deletePublished(folder);
    }
    System.out.printf("AgeKillIT: seed %d (-Dsqlbak.e2e.seed to repeat), uninterrupted run %d ms%n", seed, runMillis);
    List<String> outcomes = new ArrayList<>();
    // Plain text the next run left: collected, so that every trial still checks the destination after its kill.
    List<String> unswept = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      long delay = (long) (random.nextDouble() * runMillis * 1.15);
      NextRun next = NextRun.values()[trial % NextRun.values().length];
      String where = "trial " + trial + " (kill after " + delay + " ms, seed " + seed + ")";
      String phase = killAt(folder, tmp, trial, delay, where);
      next.run(folder, tmp, where + ", then " + next);
      List<String> left = plainText(folder, scratch(tmp));
      if (!left.isEmpty()) {
        unswept.add(where + ", killed " + phase + ", then `" + next + "`: " + left);
      }
      outcomes.add(delay + " ms: killed " + phase + ", then " + next + (left.isEmpty() ? "" : ": PLAIN TEXT LEFT"));
    }
    System.out.println("AgeKillIT trials:\n  " + String.join("\n  ", outcomes));
    assertEquals(List.of(), unswept, "after a kill -9, the next run in the destination folder with the same TMPDIR"
        + " must leave no plain text in it or in the scratch folder");
  }

  /**
   * Runs trial {@code trial}'s backup, kills it after {@code delay} ms and checks the folder: no plain
   * text, and only temporary files or a complete published backup. Returns where the kill landed.
   */
  private static String killAt(Path folder, Path tmp, int trial, long delay, String where) throws Exception {
    // Alternately a file and a folder destination, whose publishing differs.
    String dest = trial % 2 == 0 ? "trial-" + trial + ".db" : ".";
    List<String> earlierPlainText = plainText(scratch(tmp));
    Sqlbak.Result r;
    try (Sqlbak.Running run = start(folder, tmp, "backup", "--encrypt-to", alice.recipient(), big.toString(), dest)) {
      Thread.sleep(delay);
      run.kill9();
      r = run.waitFor(Duration.ofSeconds(30));
    }
    assertTrue(r.exitCode() == 137 || r.exitCode() == 0, where + ": " + r.describe());
    assertNoStackTrace(r);
    assertEquals(List.of(), plainText(folder), where + ": the destination folder right after the kill");
    List<String> names = TestDatabases.listing(folder);
    List<String> published = names.stream().filter(n -> PUBLISHED.matcher(n).matches() && n.endsWith(".age"))
        .toList();
    for (String name : names) {
      assertTrue(TEMP.matcher(name).matches() || PUBLISHED.matcher(name).matches(), where + ": unexpected " + name);
    }
    assertTrue(published.size() <= 1, where + ": one run publishes one backup: " + names);
    for (String name : published) {
      Path opened = alice.decryptTo(folder.resolve(name), dir.resolve("opened-" + trial + ".db"));
      assertEquals(bigDigest, TestDatabases.contentDigest(opened), where + ": content of " + name);
      Files.delete(opened);
      if (names.contains(name + ".sha256")) {
        assertEquals(TestDatabases.sha256(folder.resolve(name)) + "  " + name + "\n",
            TestDatabases.hashLine(folder.resolve(name + ".sha256")), where);
      }
    }
    String phase = r.exitCode() == 0 ? "after it finished" : !published.isEmpty() ? "after publishing"
        : names.stream().anyMatch(n -> n.endsWith(".age")) ? "while encrypting"
        : !earlierPlainText.containsAll(plainText(scratch(tmp))) ? "while copying or checking" : "before the copy";
    deletePublished(folder);
    return phase;
  }

  /** Removes published backups (not temporary files), so that the next trial starts with only leftovers. */
  private static void deletePublished(Path folder) throws Exception {
    for (String name : TestDatabases.listing(folder)) {
      if (!TEMP.matcher(name).matches()) {
        Files.delete(folder.resolve(name));
      }
    }
  }

  @ParameterizedTest(name = "SIG{0} while {2} -> exit {1}")
  @CsvSource({"INT, 130, copying", "TERM, 143, copying", "INT, 130, encrypting", "TERM, 143, encrypting"})
  void aSignalMidBackupExitsWithItsCodeAndLeavesNoPlainText(String signal, int exitCode, String moment)
      throws Exception {
    Path folder = Files.createDirectory(dir.resolve("signal-" + signal + "-" + moment));
    Path tmp = Files.createDirectory(dir.resolve("tmp-signal-" + signal + "-" + moment));
    String[] args = {"backup", "--pages", "4", "--progress", "plain", "--encrypt-to", alice.recipient(),
        big.toString(), "."};
    Sqlbak.Running started;
    if (signal.equals("INT") && Sqlbak.ignoresSignal(ProcessHandle.current().pid(), SIGINT)) {
      // Started in the background by a non-interactive shell, this JVM ignores SIGINT, and so would sqlbak.
      started = Sqlbak.startWithDefaultSigint(folder, Map.of("TMPDIR", tmp.toString()), args);
      Assumptions.assumeTrue(started != null, "SIGINT is ignored by inheritance in this test JVM and env has"
          + " no --default-signal to restore it for sqlbak; the SIGTERM case covers the same cleanup");
    } else {
      started = start(folder, tmp, args);
    }
    Sqlbak.Result r;
    try (Sqlbak.Running run = started) {
      if (moment.equals("copying")) {
        assertNotNull(run.awaitMidCopyProgress(), "no progress before the copy ended; " + run.stderrSoFar());
      } else {
        awaitCiphertext(run, folder);
      }
      // Asked only now: env restores SIGINT's default just before it execs sqlbak.
      Assumptions.assumeFalse(signal.equals("INT") && Sqlbak.ignoresSignal(run.pid(), SIGINT),
          "sqlbak runs with SIGINT ignored (inherited), so it cannot receive it; the SIGTERM case covers the"
              + " same cleanup");
      Sqlbak.signal(run.pid(), "STOP");
      try {
        assertFalse(plainText(scratch(tmp)).isEmpty(), "the plain copy is in the scratch folder " + moment);
        assertEquals(List.of(), plainText(folder), "and not in the destination folder, " + moment);
        Sqlbak.signal(run.pid(), signal);
      } finally {
        Sqlbak.signal(run.pid(), "CONT");
      }
      r = run.waitFor(Duration.ofSeconds(60));
    }
    assertEquals(exitCode, r.exitCode(), r.describe());
    assertEquals("", r.stdout(), r.describe());
    assertNoStackTrace(r);
    assertTrue(r.stderrLines().stream().noneMatch(l -> l.startsWith("backed up")), r.describe());
    assertEquals(List.of(), TestDatabases.listing(folder), "nothing published, temporary files removed");
    assertEquals(List.of(), plainText(folder, tmp), "no plain text anywhere; " + r.describe());
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "the scratch folder is left empty; " + r.describe());
  }
}
