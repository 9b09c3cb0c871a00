package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.storage.s3.FaultProxy;
import dev.sqlbak.storage.s3.LocalS3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The built {@code target/sqlbak} against a real S3 server on loopback, through a throttled
 * {@link FaultProxy} so that an upload takes seconds: SIGINT, SIGTERM and kill -9 in the middle of
 * a multipart upload, and credentials the server rejects.
 */
class S3FaultIT {
  /** Over the 16 MiB single-PUT limit: a multipart upload of three parts. */
  private static final int SOURCE_MIB = 20;
  /** About five seconds for the whole upload: time to act in the middle of it. */
  private static final long THROTTLE = 4L << 20;
  private static final int SIGINT = 2;
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  @TempDir static Path dir;
  private static Path source;
  private static LocalS3Server server;
  private static FaultProxy proxy;
  private static int buckets;

  private String bucket;
  private Path tmp;

  @BeforeAll
  static void start() throws Exception {
    server = LocalS3Server.start();
    proxy = FaultProxy.start(server.endpoint());
    source = TestDatabases.createLarge(Files.createDirectory(dir.resolve("src")).resolve("app.db"), false, SOURCE_MIB);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    server.close();
  }

  @BeforeEach
  void newBucket() throws Exception {
    bucket = "e2e-faults-" + (++buckets);
    server.createBucket(bucket);
    tmp = Files.createDirectory(dir.resolve("tmp-" + bucket));
  }

  @AfterEach
  void healNetwork() {
    proxy.passThrough();
  }

  private String prefix() {
    return "s3://" + bucket + "/p/";
  }

  /** The test server's credentials, with a TMPDIR of the test's own so that scratch files left can be seen. */
  private Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(server.credentialsEnvironment());
    env.put("TMPDIR", tmp.toString());
    return env;
  }

  /** {@code sqlbak COMMAND --s3-endpoint PROXY --s3-path-style ARGS...}, as a command line. */
  private List<String> command(String... args) {
    List<String> command = new ArrayList<>(List.of(Sqlbak.launcher().toString(), args[0],
        "--s3-endpoint", proxy.endpoint().toString(), "--s3-path-style"));
    command.addAll(List.of(args).subList(1, args.length));
    return command;
  }

  private Sqlbak.Result run(Map<String, String> env, String... args) {
    try (Sqlbak.Running running = Sqlbak.Running.start(command(args), dir, env)) {
      return running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
    }
  }

  private List<String> keys() {
    return server.client().listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key)
        .sorted().toList();
  }

  private List<String> multipartUploads() {
    return server.client().listMultipartUploadsPaginator(r -> r.bucket(bucket)).uploads().stream()
        .map(MultipartUpload::key).toList();
  }

  /** Waits until a part of a multipart upload of the bucket is on its way; fails if none starts in time. */
  private void awaitPartUpload(Sqlbak.Running run) throws InterruptedException {
    awaitUpload(run, "/p/app-", "partNumber=1&");
  }

  /**
   * Waits until a PUT of a key under {@code keyStart} whose request line contains {@code marker}
   * has been on its way for a moment; fails if none starts in time.
   */
  private void awaitUpload(Sqlbak.Running run, String keyStart, String marker) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && run.isAlive()) {
      if (proxy.requestLines().stream().anyMatch(l -> l.startsWith("PUT /" + bucket + keyStart)
          && l.contains(marker))) {
        Thread.sleep(300); // well into the part, not at its head
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no part upload began; stderr:\n" + run.stderrSoFar());
  }

  @ParameterizedTest(name = "SIG{0} -> exit {1}")
  @CsvSource({"INT, 130", "TERM, 143"})
  void aSignalMidUploadAbortsItAndLeavesNothing(String signal, int exitCode) throws Exception {
    proxy.throttle(THROTTLE);
    List<String> command = command("backup", "-q", source.toString(), prefix());
    if (signal.equals("INT") && Sqlbak.ignoresSignal(ProcessHandle.current().pid(), SIGINT)) {
      // Started in the background by a non-interactive shell, this JVM ignores SIGINT and so would sqlbak.
      command.addAll(0, List.of("env", "--default-signal=INT"));
    }
    Sqlbak.Result r;
    try (Sqlbak.Running run = Sqlbak.Running.start(command, dir, environment())) {
      awaitPartUpload(run);
      Assumptions.assumeFalse(signal.equals("INT") && Sqlbak.ignoresSignal(run.pid(), SIGINT),
          "sqlbak inherited SIGINT as ignored (no env --default-signal here); the SIGTERM case covers it");
      Sqlbak.signal(run.pid(), signal);
      r = run.waitFor(Duration.ofSeconds(30));
    }
    assertEquals(exitCode, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    assertEquals(List.of("sqlbak: interrupted: temporary files removed, nothing was published"), r.stderrLines(),
        r.describe());
    assertEquals(List.of(), keys(), "no object under the final name, no sidecar, no marker; " + r.describe());
    assertEquals(List.of(), multipartUploads(), "the multipart upload was aborted");
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left behind");
  }

  @Test
  void aSignalMidSinglePutAbortsItAtOnceAndLeavesNothing() throws Exception {
    Path small = TestDatabases.createLarge(dir.resolve("single-" + bucket + ".db"), false, 8);
    proxy.throttle(1L << 20); // eight seconds for the PUT if nothing stops it
    Sqlbak.Result r;
    long signalled;
    try (Sqlbak.Running run = Sqlbak.Running.start(command("backup", "-q", small.toString(), prefix()), dir,
        environment())) {
      awaitUpload(run, "/p/single-", " HTTP/1.1");
      Sqlbak.signal(run.pid(), "TERM");
      signalled = System.nanoTime();
      r = run.waitFor(Duration.ofSeconds(30));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - signalled);
    assertEquals(143, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    assertEquals(List.of("sqlbak: interrupted: temporary files removed, nothing was published"), r.stderrLines(),
        r.describe());
    assertEquals(1, proxy.requestLines().stream().filter(l -> l.startsWith("PUT /" + bucket + "/p/single-")).count(),
        "the abandoned PUT was not retried: " + proxy.requestLines());
    // S3Proxy 4.1.0's in-memory store keeps a PUT's body as "<key>-<uuid>" while it arrives and keeps
    // that object when the body ends early (seen with the SDK alone, no sqlbak, no proxy); S3 keeps
    // nothing of an unfinished PUT. Only that debris may be there: no final name, no sidecar.
    List<String> left = keys();
    assertTrue(left.stream().allMatch(k -> k.matches("p/single-[^/]*\\.db-" + UUID)), "the PUT was abandoned, not "
        + "finished: " + left + "; " + r.describe());
    assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "the signal stopped the PUT at once, took " + took);
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left behind");
  }

  @Test
  void aSignalMidDownloadOfARestoreLeavesTargetAsItWasAndNoScratch() throws Exception {
    Sqlbak.Result up = run(environment(), "backup", "-q", source.toString(), prefix());
    assertEquals(0, up.exitCode(), up.describe());
    String key = keys().get(0);
    Path target = TestDatabases.createSample(dir.resolve("target-" + bucket + ".db"), false, 7);
    String before = TestDatabases.contentDigest(target);
    proxy.throttleAnswers(THROTTLE);
    Sqlbak.Result r;
    try (Sqlbak.Running run = Sqlbak.Running.start(command("restore", "-q", "--force", "s3://" + bucket + "/" + key,
        target.toString()), dir, environment())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (run.isAlive() && System.nanoTime() < deadline
          && proxy.requestLines().stream().noneMatch(l -> l.startsWith("GET /" + bucket + "/" + key + " "))) {
        Thread.sleep(20);
      }
      Thread.sleep(500); // well into the download
      Sqlbak.signal(run.pid(), "TERM");
      r = run.waitFor(Duration.ofSeconds(30));
    }
    assertEquals(143, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    assertEquals(List.of("sqlbak: restore interrupted: " + target.toRealPath() + "; it was not changed"),
        r.stderrLines(), r.describe());
    assertEquals(before, TestDatabases.contentDigest(target));
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "the download was removed");
  }

  /** Found by a hostile user: a --force killed mid-upload lost the old backup's sidecar for good. */
  @Test
  void aForceReplacementKilledMidUploadLeavesTheOldBackupWithItsSidecar() throws Exception {
    Path small = TestDatabases.createSample(dir.resolve("old-" + bucket + ".db"), false, 50);
    String dest = "s3://" + bucket + "/one/app.db";
    Sqlbak.Result first = run(environment(), "backup", "-q", small.toString(), dest);
    assertEquals(0, first.exitCode(), first.describe());
    byte[] oldSidecar = server.client().getObjectAsBytes(r -> r.bucket(bucket).key("one/app.db.sha256")).asByteArray();
    proxy.throttle(THROTTLE);
    try (Sqlbak.Running run = Sqlbak.Running.start(command("backup", "-q", "--force", source.toString(), dest), dir,
        environment())) {
      awaitUpload(run, "/one/app.db", "partNumber=1&");
      run.kill9();
      assertEquals(137, run.waitFor(Duration.ofSeconds(30)).exitCode());
    }
    proxy.passThrough();
    assertTrue(keys().containsAll(List.of("one/app.db", "one/app.db.sha256")), keys().toString());
    assertEquals(new String(oldSidecar, java.nio.charset.StandardCharsets.UTF_8), new String(server.client()
        .getObjectAsBytes(r -> r.bucket(bucket).key("one/app.db.sha256")).asByteArray(),
        java.nio.charset.StandardCharsets.UTF_8));
    Sqlbak.Result verify = run(environment(), "verify", dest);
    assertEquals(0, verify.exitCode(), verify.describe());
    assertTrue(verify.stderr().contains("ok (sha256, "), verify.describe());
  }

  @Test
  void killedMidUploadLeavesNoObjectAndTheNextPruneAbortsTheDeadUpload() throws Exception {
    proxy.throttle(THROTTLE);
    try (Sqlbak.Running run = Sqlbak.Running.start(command("backup", "-q", source.toString(), prefix()), dir,
        environment())) {
      awaitPartUpload(run);
      run.kill9();
      assertEquals(137, run.waitFor(Duration.ofSeconds(30)).exitCode());
    }
    proxy.passThrough();
    List<String> left = keys();
    assertEquals(1, left.size(), "only the run's upload marker: " + left);
    assertTrue(left.get(0).startsWith("p/.sqlbak-upload-"), left.toString());
    assertEquals(1, multipartUploads().size(), "the dead run's upload is still open");

    Sqlbak.Result prune = run(environment(), "prune", "--keep-last", "5", prefix());
    assertEquals(0, prune.exitCode(), prune.describe());
    assertNoStackTrace(prune);
    assertEquals(List.of(), multipartUploads(), "prune aborted the dead upload; " + prune.describe());
    assertEquals(List.of(), keys(), "and removed its marker; " + prune.describe());

    Sqlbak.Result again = run(environment(), "backup", "-q", source.toString(), prefix());
    assertEquals(0, again.exitCode(), again.describe());
    List<String> keys = keys();
    assertEquals(2, keys.size(), keys.toString());
    assertTrue(keys.get(0).matches("p/app-\\d{8}T\\d{6}Z\\.db") && keys.get(1).equals(keys.get(0) + ".sha256"),
        keys.toString());
  }

  @Test
  void rejectedCredentialsAreOneLineNamingThem() throws Exception {
    Map<String, String> env = environment();
    env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
    Path small = TestDatabases.createSample(dir.resolve("small-" + bucket + ".db"), false, 10);
    Sqlbak.Result r = run(env, "backup", small.toString(), prefix());
    assertEquals(1, r.exitCode(), r.describe());
    assertNoStackTrace(r);
    assertEquals(1, r.stderrLines().size(), r.describe());
    assertTrue(r.stderr().startsWith("sqlbak: credentials rejected by ListObjectsV2 (SignatureDoesNotMatch): "
        + prefix()), r.describe());
    assertTrue(r.stderr().contains("AWS_SECRET_ACCESS_KEY"), r.describe());
    assertEquals(List.of(), keys());
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files left behind");
  }
}
