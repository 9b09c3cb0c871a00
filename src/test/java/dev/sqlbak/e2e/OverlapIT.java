package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCompleteCopy;
import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static dev.sqlbak.e2e.BackupAssertions.assertSidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.jdi.Bootstrap;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.ListeningConnector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import dev.sqlbak.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Overlapping runs as cron and deploy scripts make them (issue 4): several backups into one folder
 * at the same moment, two {@code --force} backups onto one file, and backups of a database while
 * {@code restore --force} rewrites it, all as real processes.
 */
class OverlapIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} runs at once")
  @ValueSource(ints = {2, 4})
  void runsStartedTogetherIntoOneFolderPublishDistinctCompleteBackups(int runs) throws Exception {
    int rounds = FaultTrials.count("sqlbak.e2e.overlapRounds", runs == 2 ? 3 : 2, runs == 2 ? 10 : 15);
    Path source = TestDatabases.createSample(dir.resolve("app.db"), true, 3000);
    String digest = TestDatabases.contentDigest(source);
    Path out = Files.createDirectory(dir.resolve("out"));
    Set<String> published = new TreeSet<>();
    for (int round = 0; round < rounds; round++) {
      // No barrier is needed: started back to back, the JVMs race each other to the same second.
      List<Sqlbak.Running> running = new ArrayList<>();
      List<Sqlbak.Result> results = new ArrayList<>();
      try {
        for (int i = 0; i < runs; i++) {
          running.add(Sqlbak.start(dir, "backup", "--json", "app.db", "out"));
        }
        for (Sqlbak.Running r : running) {
          results.add(r.waitFor(Sqlbak.DEFAULT_TIMEOUT));
        }
      } finally {
        running.forEach(Sqlbak.Running::close);
      }
      String earlier = published.isEmpty() ? "" : ((TreeSet<String>) published).last();
      List<String> thisRound = new ArrayList<>();
      for (Sqlbak.Result r : results) {
        assertEquals(0, r.exitCode(), "round " + round + ": " + r.describe());
        assertNoStackTrace(r);
        Path destination = Path.of(JsonParser.parseString(r.stdout()).getAsJsonObject()
            .get("destination").getAsString());
        assertEquals(out.toRealPath(), destination.getParent().toRealPath(), r.describe());
        String name = destination.getFileName().toString();
        assertTrue(name.matches("app-\\d{8}T\\d{6}Z\\.db"), "not <stem>-<UTC timestamp>.db: " + name);
        assertTrue(published.add(name), "round " + round + ": two runs published the same name " + name);
        assertTrue(r.stderr().contains(" to " + destination + ": "), "stderr names the file; " + r.describe());
        thisRound.add(name);
      }
      for (String name : thisRound) {
        assertTrue(name.compareTo(earlier) > 0,
            "a new name never sorts before an existing backup: " + name + " after " + earlier);
        assertCompleteCopy(out.resolve(name), source);
        assertSidecar(out.resolve(name));
      }
      List<String> expected = new ArrayList<>();
      for (String name : published) {
        expected.add(name);
        expected.add(name + ".sha256");
      }
      assertEquals(expected, TestDatabases.listing(out),
          "round " + round + ": exactly the published backups and their checksums, no .sqlbak-* left");
    }
    assertEquals(digest, TestDatabases.contentDigest(source), "the source must not change");
    System.out.println("OverlapIT: " + runs + " runs x " + rounds + " rounds -> " + published);
    System.out.printf("OverlapIT concurrency: %d backups at once into one folder, %d rounds: %d backups, %d distinct "
        + "names sorting by time, %d/%d equal to the source by content digest with matching checksums, no temporary "
        + "file left, nothing lost%n", runs, rounds, runs * rounds, published.size(), published.size(), runs * rounds);
  }

  @Test
  void forcedRunsOntoOneFileLeaveOneCompleteBackupBesideItsOwnChecksum() throws Exception {
    // Two different sources, so that a mix of the two, or a checksum of the other, shows.
    Path a = TestDatabases.createSample(dir.resolve("a.db"), false, 2000);
    Path b = TestDatabases.createSample(dir.resolve("b.db"), true, 3000);
    String digestA = TestDatabases.contentDigest(a);
    String digestB = TestDatabases.contentDigest(b);
    Path out = Files.createDirectory(dir.resolve("out"));
    Path dest = out.resolve("dest.db");
    Sqlbak.Result first = Sqlbak.run(dir, "backup", "-q", "a.db", "out/dest.db");
    assertEquals(0, first.exitCode(), first.describe());
    int wonByA = 0;
    for (int round = 0; round < 5; round++) {
      // Alternate which one starts first.
      String[] order = round % 2 == 0 ? new String[] {"a.db", "b.db"} : new String[] {"b.db", "a.db"};
      Sqlbak.Result r1;
      Sqlbak.Result r2;
      try (Sqlbak.Running p1 = Sqlbak.start(dir, "backup", "-q", "--force", order[0], "out/dest.db");
          Sqlbak.Running p2 = Sqlbak.start(dir, "backup", "-q", "--force", order[1], "out/dest.db")) {
        r1 = p1.waitFor(Sqlbak.DEFAULT_TIMEOUT);
        r2 = p2.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      }
      // Observed and documented here: --force replaces atomically, so both runs succeed and the
      // later rename wins.
      assertEquals(0, r1.exitCode(), r1.describe());
      assertEquals(0, r2.exitCode(), r2.describe());
      assertEquals("", r1.stderr() + r2.stderr(), "-q: nothing on stderr on success");
      assertOneCompleteBackup(dest, digestA, digestB, "round " + round);
      if (TestDatabases.contentDigest(dest).equals(digestA)) {
        wonByA++;
      }
    }
    System.out.println("OverlapIT: a won " + wonByA + " of 5 forced races");
  }

  /**
   * Deterministic form of the race above: run A is stopped by a debugger right after its rename
   * put DEST in place and before its checksum file follows; run B then replaces DEST; then A goes
   * on. Whatever the order, DEST and DEST.sha256 must describe the same backup at the end.
   */
  @Test
  void aForcedRunStoppedBetweenItsBackupAndItsChecksumCannotLeaveAMismatchedPair() throws Exception {
    Path a = TestDatabases.createSample(dir.resolve("a.db"), false, 2000);
    Path b = TestDatabases.createSample(dir.resolve("b.db"), false, 3000);
    String digestA = TestDatabases.contentDigest(a);
    String digestB = TestDatabases.contentDigest(b);
    Path out = Files.createDirectory(dir.resolve("out"));
    Path dest = out.resolve("dest.db");

    ListeningConnector listen = Bootstrap.virtualMachineManager().listeningConnectors().stream()
        .filter(c -> c.name().equals("com.sun.jdi.SocketListen")).findFirst().orElseThrow();
    Map<String, Connector.Argument> args = listen.defaultArguments();
    args.get("port").setValue("0");
    args.get("localAddress").setValue("127.0.0.1");
    args.get("timeout").setValue("30000"); // accept() fails instead of hanging if the run never connects
    String address = listen.startListening(args);
    Path output = Files.createTempDirectory("sqlbak-e2e-jdi");
    ProcessBuilder pb = new ProcessBuilder(Sqlbak.launcher().toString(), "backup", "-q", "--force", "a.db",
        "out/dest.db")
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(output.resolve("stdout").toFile())
        .redirectError(output.resolve("stderr").toFile());
    pb.environment().put("SQLBAK_JAVA_OPTS",
        "-XX:+UseSerialGC -agentlib:jdwp=transport=dt_socket,server=n,suspend=y,address=" + address);
    Process runA = pb.start();
    VirtualMachine vm = null;
    try {
      vm = listen.accept(args);
      listen.stopListening(args);
      stopAt(vm, "dev.sqlbak.engine.BackupPublisher", "publishSidecar");
      // A is stopped with DEST renamed into place and its checksum file not yet.
      assertEquals(digestA, TestDatabases.contentDigest(dest), "run A must have published DEST");

      Sqlbak.Result resultB;
      try (Sqlbak.Running runB = Sqlbak.start(dir, "backup", "--progress", "plain", "--force", "b.db",
          "out/dest.db")) {
        assertNotNull(runB.awaitStderrLine(l -> {
          Matcher m = RestoreIT.PROGRESS.matcher(l);
          return m.matches() && m.group(1).equals(m.group(2));
        }, Duration.ofSeconds(60)), "run B did not copy: " + runB.stderrSoFar());
        // Copied: unserialised, B checks, hashes and publishes its small file in well under a second;
        // serialised, it waits for A, and must not be made to fail by that.
        long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (runB.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        System.out.println("OverlapIT: run B " + (runB.isAlive() ? "waited for" : "finished before") + " run A");
        vm.eventRequestManager().deleteAllBreakpoints();
        VirtualMachine resumed = vm;
        vm = null;
        // Detach while A is still stopped, which resumes it: resuming first let A exit while the
        // detach was under way, and its debug agent then printed a transport error on stderr.
        disposeQuietly(resumed);
        resultB = runB.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      }
      assertTrue(runA.waitFor(Sqlbak.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "run A did not finish");
      String stderrA = Files.readString(output.resolve("stderr"), StandardCharsets.UTF_8);
      assertEquals(0, runA.exitValue(), "run A: " + stderrA);
      assertEquals("", stderrA, "run A, with -q, must print nothing on success");
      assertEquals(0, resultB.exitCode(), resultB.describe());
      assertNoStackTrace(resultB);
      assertOneCompleteBackup(dest, digestA, digestB, "after A was stopped between DEST and DEST.sha256");
    } finally {
      if (vm != null) {
        disposeQuietly(vm);
      }
      runA.destroyForcibly();
      for (String f : new String[] {"stdout", "stderr"}) {
        Files.deleteIfExists(output.resolve(f));
      }
      Files.deleteIfExists(output);
    }
  }

  /**
   * Detaches from a debugged run, which resumes it. A run that is already gone (its exit code is
   * checked afterwards) leaves nothing to detach from.
   */
  private static void disposeQuietly(VirtualMachine vm) {
    try {
      vm.dispose();
    } catch (com.sun.jdi.VMDisconnectedException alreadyGone) {
      // the run ended first
    }
  }

  /** Sets a breakpoint at the start of {@code method} of {@code className} and returns once the VM stopped there. */
  private static void stopAt(VirtualMachine vm, String className, String method) throws Exception {
    ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
    prepare.addClassFilter(className);
    prepare.setSuspendPolicy(EventRequest.SUSPEND_ALL);
    prepare.enable();
    for (ReferenceType t : vm.classesByName(className)) {
      breakAt(vm, t, method);
    }
    vm.resume();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      EventSet set = vm.eventQueue().remove(1000);
      if (set == null) {
        continue;
      }
      for (Event e : set) {
        if (e instanceof BreakpointEvent) {
          return; // the VM stays suspended
        } else if (e instanceof ClassPrepareEvent) {
          breakAt(vm, ((ClassPrepareEvent) e).referenceType(), method);
        } else if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) {
          fail("the run ended before it reached " + className + "." + method);
        }
      }
      set.resume();
    }
    fail("the run did not reach " + className + "." + method + " within a minute");
  }

  private static void breakAt(VirtualMachine vm, ReferenceType type, String method) {
    List<Method> methods = type.methodsByName(method);
    assertFalse(methods.isEmpty(), "no method " + method + " in " + type.name());
    for (Method m : methods) {
      BreakpointRequest bp = vm.eventRequestManager().createBreakpointRequest(m.location());
      bp.setSuspendPolicy(EventRequest.SUSPEND_ALL);
      bp.enable();
    }
  }

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {true, false})
  void backupsWhileRestoreRewritesTheSourceHoldTheOldOrTheNewContentNeverAMix(boolean wal) throws Exception {
    Path source = RestoreIT.createContent(dir.resolve("live.db"), wal, RestoreIT.OLD);
    String oldDigest = TestDatabases.contentDigest(source);
    RestoreIT.createContent(dir.resolve("new.db"), false, RestoreIT.NEW);
    Sqlbak.Result made = Sqlbak.run(dir, "backup", "-q", "new.db", "new-backup.db");
    assertEquals(0, made.exitCode(), made.describe());
    String newDigest = TestDatabases.contentDigest(dir.resolve("new-backup.db"));
    Path out = Files.createDirectory(dir.resolve("out"));

    List<Sqlbak.Result> during = new ArrayList<>();
    Sqlbak.Result restored;
    List<Sqlbak.Running> backups = new ArrayList<>();
    try (Sqlbak.Running restore = Sqlbak.start(dir, "restore", "--force", "--pages", "1", "--progress", "plain",
        "--busy-timeout", "60s", "new-backup.db", "live.db")) {
      String progress = restore.awaitMidCopyProgress();
      assertNotNull(progress, "no progress before the copy ended; stderr:\n" + restore.stderrSoFar());
      // Stopped mid-copy, the restore holds its write transaction on the source of the backups.
      Sqlbak.signal(restore.pid(), "STOP");
      try {
        assertFalse(RestoreIT.copyFinished(restore.stderrSoFar()),
            "the copy ended before it could be paused; make the backup bigger");
        for (int i = 0; i < 2; i++) {
          backups.add(Sqlbak.start(dir, "backup", "--json", "--busy-timeout", "60s", "live.db", "out"));
        }
        if (wal) {
          // A WAL-mode restore blocks no reader: the backups finish while it is stopped mid-copy.
          for (Sqlbak.Running r : backups) {
            during.add(r.waitFor(Sqlbak.DEFAULT_TIMEOUT));
          }
        } else {
          // A rollback-journal restore holds the source exclusively while it copies: the backups wait.
          Thread.sleep(1500);
          for (Sqlbak.Running r : backups) {
            assertTrue(r.isAlive(), "a backup finished while the restore held the source exclusively: "
                + r.stderrSoFar());
          }
        }
      } finally {
        Sqlbak.signal(restore.pid(), "CONT");
      }
      restored = restore.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      if (!wal) {
        for (Sqlbak.Running r : backups) {
          during.add(r.waitFor(Sqlbak.DEFAULT_TIMEOUT));
        }
      }
    } finally {
      backups.forEach(Sqlbak.Running::close);
    }
    assertEquals(0, restored.exitCode(), restored.describe());
    Sqlbak.Result after = Sqlbak.run(dir, "backup", "--json", "live.db", "out");

    List<String> seen = new ArrayList<>();
    List<Sqlbak.Result> all = new ArrayList<>(during);
    all.add(after);
    for (Sqlbak.Result r : all) {
      assertEquals(0, r.exitCode(), r.describe());
      JsonObject json = JsonParser.parseString(r.stdout()).getAsJsonObject();
      Path copy = Path.of(json.get("destination").getAsString());
      assertEquals("ok", TestDatabases.integrityCheck(copy), r.describe());
      assertSidecar(copy);
      String digest = TestDatabases.contentDigest(copy);
      assertTrue(digest.equals(oldDigest) || digest.equals(newDigest),
          "a backup taken while the restore ran holds neither the old nor the new content: " + copy);
      seen.add(digest.equals(oldDigest) ? "old" : "new");
    }
    System.out.println("OverlapIT wal=" + wal + ": backups during the restore saw " + seen);
    System.out.printf("OverlapIT concurrency: %d backups of a %s source while restore --force rewrote it, 1 after: "
        + "each old or new by content digest (%s), integrity_check ok, nothing lost%n", during.size(),
        wal ? "WAL" : "rollback-journal", seen);
    // Which one each saw follows from the journal mode: WAL backups read the snapshot before the
    // restore's commit, rollback-journal backups could only start reading after it.
    assertEquals(List.of(wal ? "old" : "new", wal ? "old" : "new", "new"), seen);
    assertEquals(newDigest, TestDatabases.contentDigest(source), "the restore must have completed");
  }

  private static void assertOneCompleteBackup(Path dest, String digestA, String digestB, String when)
      throws Exception {
    assertEquals(List.of("dest.db", "dest.db.sha256"), TestDatabases.listing(dest.getParent()),
        when + ": one backup, its checksum, no temporary files");
    assertEquals("rollback", TestDatabases.headerJournalMode(dest), when);
    assertEquals("ok", TestDatabases.integrityCheck(dest), when);
    String digest = TestDatabases.contentDigest(dest);
    assertTrue(digest.equals(digestA) || digest.equals(digestB), when + ": DEST is neither source's backup");
    assertSidecar(dest);
  }
}
