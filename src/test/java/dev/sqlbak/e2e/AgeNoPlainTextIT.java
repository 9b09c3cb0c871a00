package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.storage.s3.LocalS3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * No plain text in any file left anywhere by an encrypted backup through the real process, to
 * every kind of destination: after it succeeds, the destination holds only the age file (and its
 * sidecar) and the scratch folder nothing; after its check fails, neither holds anything.
 */
class AgeNoPlainTextIT {
  /** The kinds of destination, each with the {@code --compress} it is tried with. */
  enum Dest {
    FILE("zstd"), DIRECTORY("none"), STREAM("gzip"), S3("none");

    final String compression;

    Dest(String compression) {
      this.compression = compression;
    }
  }

  @TempDir static Path shared;
  static Path source;
  static Path damaged;
  static String sourceDigest;
  static TestAgeKeys alice;
  static LocalS3Server server;
  static int buckets;

  @TempDir Path dir;
  Path out;
  Path tmp;
  String bucket;

  @BeforeAll
  static void setUp() throws Exception {
    server = LocalS3Server.start();
    source = TestDatabases.createSample(shared.resolve("app.db"), true, 2000);
    sourceDigest = TestDatabases.contentDigest(source);
    damaged = TestDatabases.createWithIndexDamage(shared.resolve("damaged.db"));
    alice = TestAgeKeys.in(shared, "alice.key");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void folders() throws Exception {
    out = Files.createDirectory(dir.resolve("out"));
    tmp = Files.createDirectory(dir.resolve("tmp"));
    bucket = "age-plain-" + (++buckets);
    server.createBucket(bucket);
  }

  /** Runs {@code sqlbak backup --encrypt-to alice [--compress C] [extra...] db DEST}, a stream into out/streamed. */
  private Sqlbak.Result backup(Dest dest, Path db, String... extra) {
    Map<String, String> env = new HashMap<>(server.credentialsEnvironment());
    env.put("AWS_ENDPOINT_URL", server.endpoint().toString());
    env.put("TMPDIR", tmp.toString());
    String options = "--encrypt-to " + alice.recipient() + " --compress " + dest.compression + " "
        + String.join(" ", extra);
    String target = switch (dest) {
      case FILE -> out.resolve("x.db").toString();
      case DIRECTORY -> out + "/";
      case STREAM -> "-";
      case S3 -> "s3://" + bucket + "/p/";
    };
    // Through a shell for all kinds alike: a stream's stdout goes into a file, as a user would send it.
    String redirect = dest == Dest.STREAM ? " > '" + out.resolve("streamed") + "'" : "";
    return Sqlbak.runScript(dir, env, "\"$SQLBAK\" backup " + options + " '" + db + "' '" + target + "'" + redirect);
  }

  private List<String> objects() {
    return server.client().listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key)
        .sorted().toList();
  }

  /** What the run published, as a local file: S3's object is downloaded into {@code dir}. */
  private Path published(Dest dest) throws Exception {
    List<String> names = TestDatabases.listing(out);
    switch (dest) {
      case FILE:
        assertEquals(List.of("x.db.zst.age", "x.db.zst.age.sha256"), names);
        return out.resolve("x.db.zst.age");
      case DIRECTORY:
        assertEquals(2, names.size(), names.toString());
        assertTrue(names.get(0).matches("app-\\d{8}T\\d{6}Z\\.db\\.age"), names.toString());
        assertEquals(names.get(0) + ".sha256", names.get(1));
        return out.resolve(names.get(0));
      case STREAM:
        assertEquals(List.of("streamed"), names);
        return out.resolve("streamed");
      default:
        List<String> keys = objects();
        assertEquals(2, keys.size(), keys.toString());
        assertTrue(keys.get(0).matches("p/app-\\d{8}T\\d{6}Z\\.db\\.age"), keys.toString());
        assertEquals(keys.get(0) + ".sha256", keys.get(1));
        assertEquals(List.of(), names, "nothing in the local folder");
        return Files.write(dir.resolve("downloaded.age"),
            server.client().getObjectAsBytes(r -> r.bucket(bucket).key(keys.get(0))).asByteArray());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Dest.class)
  void aSuccessfulBackupLeavesOnlyTheAgeFileAndNoPlainTextAnywhere(Dest dest) throws Exception {
    Sqlbak.Result r = backup(dest, source);

    assertEquals(0, r.exitCode(), r.describe());
    Path file = published(dest);
    byte[] head = Arrays.copyOf(Files.readAllBytes(file), 22);
    assertEquals("age-encryption.org/v1\n", new String(head, StandardCharsets.ISO_8859_1), "an age file: " + file);
    Path opened = alice.decryptTo(file, dir.resolve("opened.db"));
    assertEquals("ok", TestDatabases.integrityCheck(opened));
    assertEquals(sourceDigest, TestDatabases.contentDigest(opened));
    Files.delete(opened);
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp), "plain text left behind; " + r.describe());
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "the scratch folder is left empty; " + r.describe());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Dest.class)
  void aFailedCheckLeavesNothingAndNoPlainTextAnywhere(Dest dest) throws Exception {
    Sqlbak.Result r = backup(dest, damaged, "--check", "full");

    String line = assertCleanFailure(r, 1);
    assertTrue(line.startsWith("sqlbak: ") && line.contains("integrity_check"), r.describe());
    List<String> left = TestDatabases.listing(out);
    assertEquals(dest == Dest.STREAM ? List.of("streamed") : List.of(), left, r.describe());
    if (dest == Dest.STREAM) {
      assertEquals(0, Files.size(out.resolve("streamed")), "nothing was sent down the stream");
    }
    assertEquals(List.of(), objects(), "no object");
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp), "plain text left behind; " + r.describe());
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "the scratch folder is left empty; " + r.describe());
  }
}
