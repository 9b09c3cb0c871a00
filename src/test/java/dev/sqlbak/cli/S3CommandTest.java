package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.integrityCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.storage.s3.LocalS3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The commands on {@code s3://} locations as a user runs them (the README's examples), against a
 * real S3 server on loopback: exit codes, both streams, and what is in the bucket afterwards.
 */
class S3CommandTest {
  private static LocalS3Server server;
  private static int buckets;

  @TempDir Path dir;
  private String bucket;
  private Path app;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalS3Server.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void newBucket() throws Exception {
    bucket = "bucket-" + (++buckets);
    server.createBucket(bucket);
    app = createSample(Files.createDirectory(dir.resolve("live")).resolve("app.db"), true, 40);
  }

  /** A run against the test server, with its endpoint and path-style addressing. */
  private CliRun run(String... args) {
    String[] all = Stream.concat(Stream.of(args[0], "--s3-endpoint", server.endpoint().toString(),
        "--s3-path-style"), Stream.of(args).skip(1)).toArray(String[]::new);
    return CliRun.binary(all);
  }

  private List<String> keys(String prefix) {
    return server.client().listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key).sorted().toList();
  }

  private byte[] object(String key) {
    return server.client().getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void theReadmesExamplesWorkOnABucketAsOnAFolder() throws Exception {
    String prefix = "s3://" + bucket + "/backups/";
    CliRun backup = run("backup", "-q", "--keep-daily", "7", "--keep-weekly", "4", "--compress", "zstd",
        app.toString(), prefix);
    assertEquals(0, backup.exitCode(), backup.toString());
    assertEquals("", backup.err(), backup.toString());
    List<String> keys = keys("backups/");
    assertEquals(2, keys.size(), keys.toString());
    String key = keys.get(0);
    assertTrue(key.matches("backups/app-\\d{8}T\\d{6}Z\\.db\\.zst"), key);
    assertEquals(key + ".sha256", keys.get(1));
    String sidecar = new String(object(key + ".sha256"), StandardCharsets.UTF_8);
    String name = key.substring("backups/".length());
    assertTrue(sidecar.endsWith(sha256(object(key)) + "  " + name + "\n"), sidecar);
    assertTrue(sidecar.contains("# source: " + app.toRealPath()), sidecar);

    CliRun list = run("list", "--json", prefix);
    assertEquals(0, list.exitCode(), list.toString());
    JsonObject series = JsonParser.parseString(list.out()).getAsJsonObject().getAsJsonArray("series").get(0)
        .getAsJsonObject();
    assertEquals(app.toRealPath().toString(), series.get("source").getAsString());
    JsonArray listed = series.getAsJsonArray("backups");
    assertEquals(name, listed.get(0).getAsJsonObject().get("file").getAsString());

    CliRun verify = run("verify", "--latest", prefix);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertTrue(verify.err().startsWith(prefix + name + ": ok ("), verify.toString());

    Path target = createSample(dir.resolve("app.db"), false, 3);
    CliRun restore = run("restore", "-q", "--force", "s3://" + bucket + "/" + key, target.toString());
    assertEquals(0, restore.exitCode(), restore.toString());
    assertEquals(contentDigest(app), contentDigest(target));
    assertEquals("ok", integrityCheck(target));

    CliRun info = run("info", "--json", "s3://" + bucket + "/" + key);
    assertEquals(0, info.exitCode(), info.toString());
    JsonObject facts = JsonParser.parseString(info.out()).getAsJsonObject();
    assertEquals("s3://" + bucket + "/" + key, facts.get("path").getAsString());
    assertTrue(info.out().contains("\"rows\": 40") || info.out().contains("\"rows\":40"), info.out());
  }

  @Test
  void pruneKeepsTheNewestAndRemovesTheRestWithTheirSidecarsOnly() throws Exception {
    String prefix = "s3://" + bucket + "/p/";
    for (int i = 0; i < 3; i++) {
      CliRun b = run("backup", "-q", app.toString(), prefix);
      assertEquals(0, b.exitCode(), b.toString());
    }
    server.client().putObject(r -> r.bucket(bucket).key("p/notes.txt"), RequestBody.fromString("mine"));
    server.client().putObject(r -> r.bucket(bucket).key("p/deeper/app-20260101T000000Z.db"),
        RequestBody.fromString("not in this prefix"));
    List<String> before = keys("p/");
    assertEquals(8, before.size(), before.toString());

    CliRun prune = run("prune", "--keep-last", "1", prefix);
    assertEquals(0, prune.exitCode(), prune.toString());
    List<String> after = keys("p/");
    assertEquals(List.of(before.get(4), before.get(5), "p/deeper/app-20260101T000000Z.db", "p/notes.txt"), after);
    assertEquals(4, prune.errLines().size(), prune.toString());
    assertTrue(prune.errLines().get(0).startsWith("removed " + prefix + "app-"), prune.toString());
  }

  @Test
  void anObjectDestinationIsRefusedWhenTakenAndReplacedWithForce() throws Exception {
    String dest = "s3://" + bucket + "/one/app.db";
    assertEquals(0, run("backup", "-q", app.toString(), dest).exitCode());
    byte[] first = object("one/app.db");

    CliRun latestOfAnObject = run("verify", "--latest", dest);
    assertEquals(2, latestOfAnObject.exitCode(), latestOfAnObject.toString());
    assertTrue(latestOfAnObject.err().startsWith("sqlbak: --latest needs a folder: " + dest + " is not one"),
        latestOfAnObject.toString());

    CliRun again = run("backup", "-q", app.toString(), dest);
    assertEquals(1, again.exitCode(), again.toString());
    assertEquals(List.of("sqlbak: destination exists: " + dest + "; use --force to replace it"), again.errLines());
    assertEquals(sha256(first), sha256(object("one/app.db")));

    createSample(dir.resolve("other.db"), false, 7);
    CliRun forced = run("backup", "-q", "--force", dir.resolve("other.db").toString(), dest);
    assertEquals(0, forced.exitCode(), forced.toString());
    Path restored = dir.resolve("restored.db");
    assertEquals(0, run("restore", "-q", dest, restored.toString()).exitCode());
    assertEquals(contentDigest(dir.resolve("other.db")), contentDigest(restored));
  }

  @Test
  void aDamagedObjectIsABadBackupAndIsNotRestored() throws Exception {
    String prefix = "s3://" + bucket + "/d/";
    assertEquals(0, run("backup", "-q", app.toString(), prefix).exitCode());
    String key = keys("d/").get(0);
    byte[] bytes = object(key);
    bytes[bytes.length / 2] ^= 0x5a;
    server.client().putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(bytes));

    CliRun verify = run("verify", prefix);
    assertEquals(3, verify.exitCode(), verify.toString());
    assertTrue(verify.err().startsWith("sqlbak: bad backup: s3://" + bucket + "/" + key + ": "), verify.toString());

    Path target = dir.resolve("t.db");
    CliRun restore = run("restore", "s3://" + bucket + "/" + key, target.toString());
    assertEquals(3, restore.exitCode(), restore.toString());
    assertEquals(1, restore.errLines().size(), restore.toString());
    assertTrue(!Files.exists(target), "nothing restored");
  }

  @Test
  void aSecondSourceUnderTheSameNameIsRefusedInAPrefixToo() throws Exception {
    String prefix = "s3://" + bucket + "/shared/";
    assertEquals(0, run("backup", "-q", app.toString(), prefix).exitCode());
    Path other = createSample(Files.createDirectory(dir.resolve("elsewhere")).resolve("app.db"), false, 3);
    CliRun refused = run("backup", "-q", "--keep-last", "1", other.toString(), prefix);
    assertEquals(1, refused.exitCode(), refused.toString());
    assertTrue(refused.err().startsWith("sqlbak: destination holds another source's backups named app: "),
        refused.toString());
    assertEquals(2, keys("shared/").size());
  }

  @Test
  void failuresAreOneLineNamingWhatFailed() throws Exception {
    CliRun noBucket = run("list", "s3://no-such-bucket/x/");
    assertEquals(1, noBucket.exitCode(), noBucket.toString());
    assertEquals(1, noBucket.errLines().size(), noBucket.toString());
    assertTrue(noBucket.err().startsWith("sqlbak: ") && noBucket.err().contains("no-such-bucket"), noBucket.toString());

    CliRun unreachable = CliRun.binary("backup", "--s3-endpoint", "http://127.0.0.1:1", "--s3-path-style",
        app.toString(), "s3://" + bucket + "/x/");
    assertEquals(1, unreachable.exitCode(), unreachable.toString());
    assertEquals(1, unreachable.errLines().size(), unreachable.toString());
    assertTrue(unreachable.err().contains("127.0.0.1:1"), unreachable.toString());
    assertEquals(List.of(), keys(""));

    CliRun missing = run("restore", "s3://" + bucket + "/nothing-here.db", dir.resolve("t.db").toString());
    assertEquals(1, missing.exitCode(), missing.toString());
    assertEquals(List.of("sqlbak: cannot read backup: s3://" + bucket + "/nothing-here.db: not found"),
        missing.errLines());

    assertEquals(0, run("backup", "-q", app.toString(), "s3://" + bucket + "/folder/").exitCode());
    CliRun prefixNamed = run("restore", "s3://" + bucket + "/folder", dir.resolve("t.db").toString());
    assertEquals(1, prefixNamed.exitCode(), prefixNamed.toString());
    assertEquals(List.of("sqlbak: cannot read backup: s3://" + bucket + "/folder: not found; it is a prefix; name one"
        + " backup in it, as sqlbak list s3://" + bucket + "/folder/ shows them"), prefixNamed.errLines());

    CliRun noBucketName = run("list", "s3://");
    assertEquals(2, noBucketName.exitCode(), noBucketName.toString());

    CliRun classHere = CliRun.binary("backup", "--s3-storage-class", "STANDARD_IA", app.toString(),
        dir.resolve("here.db").toString());
    assertEquals(2, classHere.exitCode(), classHere.toString());
    assertTrue(classHere.err().startsWith("sqlbak: --s3-storage-class needs an s3:// destination: "),
        classHere.toString());
    assertTrue(!Files.exists(dir.resolve("here.db")));

    CliRun noScheme = CliRun.binary("list", "--s3-endpoint", "minio.lan:9000", "s3://" + bucket + "/");
    assertEquals(2, noScheme.exitCode(), noScheme.toString());
    assertTrue(noScheme.err().startsWith("sqlbak: Invalid value for option '--s3-endpoint': not an endpoint URL"),
        noScheme.toString());
  }

  @Test
  void anEncryptedBackupReachesTheBucketOnlyAsAnAgeFile() throws Exception {
    dev.sqlbak.TestAgeKeys key = dev.sqlbak.TestAgeKeys.in(dir, "backup.key");
    String prefix = "s3://" + bucket + "/enc/";
    CliRun refused = run("backup", "-q", "--encrypt-to", "age1nokey", app.toString(), prefix);
    assertEquals(2, refused.exitCode(), refused.toString());
    assertEquals(List.of(), keys("enc/"), "nothing uploaded for a bad recipient");

    CliRun backup = run("backup", "-q", "--compress", "zstd", "--encrypt-to", key.recipient(), app.toString(), prefix);
    assertEquals(0, backup.exitCode(), backup.toString());
    List<String> stored = keys("enc/");
    assertEquals(2, stored.size(), stored.toString());
    String name = stored.get(0);
    assertTrue(name.matches("enc/app-\\d{8}T\\d{6}Z\\.db\\.zst\\.age"), name);
    byte[] bytes = object(name);
    assertEquals("age-encryption.org/v1\n", new String(bytes, 0, 22, java.nio.charset.StandardCharsets.US_ASCII));
    assertTrue(new String(object(name + ".sha256"), java.nio.charset.StandardCharsets.UTF_8).contains(sha256(bytes)));

    Path target = dir.resolve("restored.db");
    CliRun none = run("restore", "s3://" + bucket + "/" + name, target.toString());
    assertEquals(1, none.exitCode(), none.toString());
    CliRun restore = run("restore", "--identity", key.identityFile().toString(), "s3://" + bucket + "/" + name,
        target.toString());
    assertEquals(0, restore.exitCode(), restore.toString());
    assertEquals(contentDigest(app), contentDigest(target));
    CliRun verify = run("verify", "--latest", prefix);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertTrue(verify.err().contains("ok (sha256; encrypted: its content is checked only with --identity)"),
        verify.toString());
  }
}
