package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.createLarge;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.storage.s3.FaultProxy;
import dev.sqlbak.storage.s3.LocalS3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code sqlbak backup} to an {@code s3://} prefix through a {@link FaultProxy} that cuts
 * connections mid-upload or answers 503: a failure is exit 1 and one line naming what failed, and
 * leaves no object, no sidecar and no multipart upload; a fault that retries overcome is no failure.
 */
class S3FaultCommandTest {
  /** Over the 16 MiB single-PUT limit: three parts of 8 MiB. */
  private static final int MULTIPART_MIB = 20;
  private static final int ALWAYS = Integer.MAX_VALUE;
  private static LocalS3Server server;
  private static FaultProxy proxy;
  private static int buckets;

  @TempDir static Path sources;
  private static Path small;
  private static Path large;

  private String bucket;

  @BeforeAll
  static void start() throws Exception {
    server = LocalS3Server.start();
    proxy = FaultProxy.start(server.endpoint());
    small = createLarge(sources.resolve("small.db"), false, 2);
    large = createLarge(sources.resolve("large.db"), false, MULTIPART_MIB);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    server.close();
  }

  @BeforeEach
  void newBucket() {
    bucket = "faults-" + (++buckets);
    server.createBucket(bucket);
  }

  @AfterEach
  void healNetwork() {
    proxy.passThrough();
  }

  /** {@code sqlbak backup -q SOURCE s3://bucket/p/} through the proxy. */
  private CliRun backup(Path source) {
    return run("backup", "-q", source.toString(), "s3://" + bucket + "/p/");
  }

  private CliRun run(String... args) {
    String[] all = Stream.concat(Stream.of(args[0], "--s3-endpoint", proxy.endpoint().toString(), "--s3-path-style"),
        Stream.of(args).skip(1)).toArray(String[]::new);
    return CliRun.binary(all);
  }

  /** Every key in the bucket, hidden ones (upload markers) included. */
  private List<String> keys() {
    return server.client().listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key)
        .sorted().toList();
  }

  private List<String> multipartUploads() {
    return server.client().listMultipartUploadsPaginator(r -> r.bucket(bucket)).uploads().stream()
        .map(MultipartUpload::key).toList();
  }

  /** Exit 1, one line naming {@code what}, and nothing at all left in the bucket. */
  private void assertFailedLeavingNothing(CliRun r, String what) {
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: ") && r.err().contains(what), "expected a line naming " + what + ": " + r);
    assertTrue(r.err().contains("s3://" + bucket + "/p/"), "the line names where: " + r);
    assertEquals(List.of(), keys(), "no object, no sidecar, no marker");
    assertEquals(List.of(), multipartUploads(), "no multipart upload left to be billed");
  }

  /** After the network heals, the next run publishes the backup and its sidecar, and nothing else. */
  private void assertNextRunSucceeds(Path source) {
    proxy.passThrough();
    CliRun again = backup(source);
    assertEquals(0, again.exitCode(), again.toString());
    List<String> keys = keys();
    assertEquals(2, keys.size(), keys.toString());
    assertTrue(keys.get(0).matches("p/" + source.getFileName().toString().replace(".db", "")
        + "-\\d{8}T\\d{6}Z\\.db") && keys.get(1).equals(keys.get(0) + ".sha256"), keys.toString());
    assertEquals(List.of(), multipartUploads());
  }

  @Test
  void aConnectionCutInEveryAttemptOfASinglePutFailsLeavingNothing() {
    proxy.cutUploads(512 * 1024, ALWAYS);
    CliRun r = backup(small);
    assertTrue(proxy.cuts() >= 2, "the PUT and its retries were cut: " + proxy.cuts());
    assertFailedLeavingNothing(r, "connection lost during PutObject");
    assertNextRunSucceeds(small);
  }

  @Test
  void aConnectionCutInEveryAttemptOfAPartAbortsTheMultipartUpload() {
    int cutsBefore = proxy.cuts();
    // The first part (8 MiB) passes; the second is cut 4 MiB in, and every retry of it soon after.
    proxy.cutUploads(12L << 20, ALWAYS);
    CliRun r = backup(large);
    assertTrue(proxy.cuts() - cutsBefore >= 2, "the part and its retries were cut");
    assertTrue(proxy.requestLines().stream().anyMatch(l -> l.startsWith("DELETE /" + bucket + "/p/large-")
        && l.contains("uploadId=")), "AbortMultipartUpload was sent");
    assertFailedLeavingNothing(r, "connection lost during UploadPart");
    assertNextRunSucceeds(large);
  }

  /** Found by a hostile user: a failed --force used to delete the old backup's sidecar before uploading. */
  @Test
  void aFailedReplacementLeavesTheOldBackupWithItsSidecar() {
    String dest = "s3://" + bucket + "/one/small.db";
    CliRun first = run("backup", "-q", small.toString(), dest);
    assertEquals(0, first.exitCode(), first.toString());
    byte[] oldBackup = server.client().getObjectAsBytes(r -> r.bucket(bucket).key("one/small.db")).asByteArray();
    byte[] oldSidecar = server.client().getObjectAsBytes(r -> r.bucket(bucket).key("one/small.db.sha256"))
        .asByteArray();

    proxy.cutUploads(512 * 1024, ALWAYS);
    CliRun replaced = run("backup", "-q", "--force", large.toString(), dest);
    assertEquals(1, replaced.exitCode(), replaced.toString());
    assertEquals(1, replaced.errLines().size(), replaced.toString());
    proxy.passThrough();
    assertEquals(List.of("one/small.db", "one/small.db.sha256"), keys());
    assertArrayEquals(oldBackup,
        server.client().getObjectAsBytes(r -> r.bucket(bucket).key("one/small.db")).asByteArray());
    assertArrayEquals(oldSidecar,
        server.client().getObjectAsBytes(r -> r.bucket(bucket).key("one/small.db.sha256")).asByteArray());
    CliRun verify = run("verify", dest);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertTrue(verify.err().contains("ok (sha256,"), verify.toString());
  }

  @Test
  void oneCutMidPartIsRetriedAndTheBackupIsComplete() {
    int cutsBefore = proxy.cuts();
    proxy.cutUploads(10L << 20, 1);
    CliRun r = backup(large);
    assertEquals(1, proxy.cuts() - cutsBefore, "one cut, in the second part");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(2, keys().size(), keys().toString());
    assertEquals(List.of(), multipartUploads());
  }

  @Test
  void lateAnswersSlowTheBackupDownButItIsComplete() {
    proxy.delayAnswers(java.time.Duration.ofMillis(400));
    long t0 = System.nanoTime();
    CliRun r = backup(small);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(tookMs >= 4 * 400, "every request waited: " + tookMs + " ms");
    assertEquals(2, keys().size(), keys().toString());
    assertEquals(List.of(), multipartUploads());
  }

  @Test
  void twoSlowDownsAreRetriedAndTheBackupIsComplete() {
    int before = proxy.slowDowns();
    proxy.slowDown(2);
    CliRun r = backup(small);
    assertEquals(2, proxy.slowDowns() - before);
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(2, keys().size(), keys().toString());
  }

  @Test
  void slowDownForEveryRequestFailsWithinBoundedTimeLeavingNothing() {
    int before = proxy.slowDowns();
    proxy.slowDown(ALWAYS);
    long t0 = System.nanoTime();
    CliRun r = backup(small);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "bounded retries, took " + took);
    assertTrue(proxy.slowDowns() - before >= 2, "retried before giving up");
    assertFailedLeavingNothing(r, "slow down");
    assertNextRunSucceeds(small);
  }

  @Test
  void slowDownForEveryPartAbortsTheMultipartUpload() {
    int before = proxy.slowDowns();
    proxy.slowDownUploads(ALWAYS);
    CliRun r = backup(large);
    assertTrue(proxy.slowDowns() - before >= 2, "the first part was retried before giving up");
    assertFailedLeavingNothing(r, "slow down (UploadPart)");
    assertNextRunSucceeds(large);
  }
}
