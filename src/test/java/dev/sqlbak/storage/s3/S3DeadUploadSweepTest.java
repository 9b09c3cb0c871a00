package dev.sqlbak.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.storage.S3Location;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The next sweep aborts the multipart uploads of runs that died, and only theirs. */
class S3DeadUploadSweepTest {
  private static final String BUCKET = "sweeps";
  private static LocalS3Server server;
  @TempDir Path scratch;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalS3Server.start();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  /** Starts an upload of {@code key} as a run would, with a marker naming {@code pid} started at {@code start}. */
  private static String uploadWithMarker(S3Prefix prefix, String name, long pid, long start) {
    String uploadId = server.client().createMultipartUpload(r -> r.bucket(BUCKET).key(prefix.key(name))).uploadId();
    UploadMarker self = UploadMarker.ofThisProcess(uploadId);
    UploadMarker marker = new UploadMarker(self.host(), pid, start, self.uploadHash());
    server.client().putObject(r -> r.bucket(BUCKET).key(prefix.key(marker.name())), RequestBody.empty());
    return uploadId;
  }

  @Test
  void anUploadOfADeadProcessOfThisHostIsAbortedAndOneOfALiveProcessIsLeft() throws Exception {
    S3Prefix prefix = new S3Prefix(server.client(), new S3Location(BUCKET, "a/"), server.endpoint().toString());
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long goneStart = gone.info().startInstant().map(Instant::toEpochMilli).orElse(1L);
    ProcessHandle self = ProcessHandle.current();
    String dead = uploadWithMarker(prefix, "dead.db", gone.pid(), goneStart);
    String live = uploadWithMarker(prefix, "live.db", self.pid(), self.info().startInstant().orElseThrow().toEpochMilli());
    // The same live pid with another start instant: a process that died and whose pid was reused.
    String reused = uploadWithMarker(prefix, "reused.db", self.pid(), 1_000L);
    String unmarked = server.client().createMultipartUpload(r -> r.bucket(BUCKET).key(prefix.key("fresh.db")))
        .uploadId();

    new S3Store(prefix, server.options(), scratch, UploadSizes.DEFAULT).sweepDeadRuns();

    List<String> left = server.client().listMultipartUploads(r -> r.bucket(BUCKET).prefix("a/")).uploads().stream()
        .map(MultipartUpload::uploadId).sorted().toList();
    assertEquals(List.of(live, unmarked).stream().sorted().toList(), left, "dead " + dead + ", reused " + reused);
    List<String> markers = server.client().listObjectsV2(r -> r.bucket(BUCKET).prefix("a/")).contents().stream()
        .map(S3Object::key).toList();
    assertEquals(1, markers.size(), markers.toString());
    assertTrue(markers.get(0).contains("-" + self.pid() + "-"), markers.toString());
  }

  @Test
  void uploadsOfOtherHostsAndUnmarkedOnesAreAbortedOnlyWhenOld() {
    Instant now = Instant.parse("2026-12-03T12:00:00Z");
    UploadMarker elsewhere = new UploadMarker("another-host", 1, 1, "0123456789abcdef");
    assertFalse(DeadUploadSweep.isDead(Optional.of(elsewhere), now.minus(Duration.ofHours(23)), now));
    assertTrue(DeadUploadSweep.isDead(Optional.of(elsewhere), now.minus(Duration.ofHours(25)), now));
    assertFalse(DeadUploadSweep.isDead(Optional.empty(), now.minus(Duration.ofMinutes(50)), now));
    assertTrue(DeadUploadSweep.isDead(Optional.empty(), now.minus(Duration.ofMinutes(70)), now));
  }

  @Test
  void anOldUnmarkedUploadIsAbortedOnlyUnderABackupsName() {
    S3Prefix prefix = new S3Prefix(server.client(), new S3Location(BUCKET, "u/"), server.endpoint().toString());
    String backup = server.client().createMultipartUpload(r -> r.bucket(BUCKET).key("u/app-20261201T030000Z.db"))
        .uploadId();
    String foreign = server.client().createMultipartUpload(r -> r.bucket(BUCKET).key("u/video.mp4")).uploadId();

    new DeadUploadSweep(prefix).run(Instant.now().plus(Duration.ofHours(2)));

    List<String> left = server.client().listMultipartUploads(r -> r.bucket(BUCKET).prefix("u/")).uploads().stream()
        .map(MultipartUpload::uploadId).toList();
    assertEquals(List.of(foreign), left, "another tool's upload is not sqlbak's to abort; backup's: " + backup);
  }

  @Test
  void markerNamesReadBackWithDashesInTheHost() {
    UploadMarker m = new UploadMarker("my-host.example", 4242, 1764763200000L, "0123456789abcdef");
    assertEquals(Optional.of(m), UploadMarker.parse(m.name()));
    assertEquals(Optional.empty(), UploadMarker.parse(".sqlbak-0123456789abcdef.db"));
  }
}
