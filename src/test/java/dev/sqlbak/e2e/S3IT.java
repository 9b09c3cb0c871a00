package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.storage.s3.LocalS3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The built {@code sqlbak} on {@code s3://} locations as a real process configured the aws CLI's
 * way (credentials, region and {@code AWS_ENDPOINT_URL} in the environment): the README's examples
 * as written, and a local run that never loads the AWS SDK.
 */
class S3IT {
  private static LocalS3Server server;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalS3Server.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  /** The environment of a user who set up the aws CLI for this server. */
  private static Map<String, String> awsEnvironment() {
    Map<String, String> env = new HashMap<>(server.credentialsEnvironment());
    env.put("AWS_ENDPOINT_URL", server.endpoint().toString());
    return env;
  }

  private List<String> keys(String bucket) {
    return server.client().listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key)
        .sorted().toList();
  }

  @Test
  void theReadmesExamplesRunAsWrittenWithTheAwsEnvironment() throws Exception {
    server.createBucket("my-bucket");
    Path app = TestDatabases.createSample(dir.resolve("app.db"), true, 300);
    Map<String, String> env = awsEnvironment();

    Sqlbak.Result backup = Sqlbak.runWithEnvironment(dir, env, "backup", "--keep-daily", "7", "--keep-weekly", "4",
        "app.db", "s3://my-bucket/backups/");
    assertEquals(0, backup.exitCode(), backup.describe());
    List<String> keys = keys("my-bucket");
    assertEquals(2, keys.size(), keys.toString());
    String key = keys.get(0);
    assertTrue(key.matches("backups/app-\\d{8}T\\d{6}Z\\.db"), key);
    assertTrue(backup.stderr().contains("s3://my-bucket/" + key), backup.describe());

    Sqlbak.Result list = Sqlbak.runWithEnvironment(dir, env, "list", "s3://my-bucket/backups/");
    assertEquals(0, list.exitCode(), list.describe());
    assertTrue(list.stdout().contains(key.substring("backups/".length())), list.describe());

    Sqlbak.Result verify = Sqlbak.runWithEnvironment(dir, env, "verify", "--latest", "s3://my-bucket/backups/");
    assertEquals(0, verify.exitCode(), verify.describe());
    assertTrue(verify.stderr().startsWith("s3://my-bucket/" + key + ": ok ("), verify.describe());

    String before = TestDatabases.contentDigest(app);
    try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + app)) {
      db.createStatement().execute("DELETE FROM users");
    }
    Sqlbak.Result restore = Sqlbak.runWithEnvironment(dir, env, "restore", "s3://my-bucket/" + key, "app.db",
        "--force");
    assertEquals(0, restore.exitCode(), restore.describe());
    assertEquals(before, TestDatabases.contentDigest(app));
    assertEquals("ok", TestDatabases.integrityCheck(app));

    Sqlbak.Result prune = Sqlbak.runWithEnvironment(dir, env, "prune", "--keep-last", "30", "s3://my-bucket/backups/");
    assertEquals(0, prune.exitCode(), prune.describe());
    assertEquals(keys, keys("my-bucket"), "nothing to remove with one backup kept by --keep-last 30");
  }

  /** Found by a hostile user: a full scratch folder was called "destination is full" for a backup to S3. */
  @Test
  void aScratchFolderTooSmallForTheStagedCopyIsSaidAsSuchAndLeavesNothing() throws Exception {
    server.createBucket("tiny");
    TestDatabases.createLarge(dir.resolve("big.db"), false, 8);
    try (dev.sqlbak.TestTmpfs tiny = dev.sqlbak.TestTmpfs.mount(dir.resolve("tiny"), 2048)) {
      Map<String, String> env = awsEnvironment();
      env.put("TMPDIR", tiny.dir().toString());
      Sqlbak.Result r = Sqlbak.runWithEnvironment(dir, env, "backup", "big.db", "s3://tiny/p/");
      assertEquals(1, r.exitCode(), r.describe());
      assertEquals(List.of("sqlbak: scratch folder is full: " + tiny.dir().resolve("sqlbak-root") + "; a backup to S3,"
          + " to a stream or encrypted is checked there first; set TMPDIR to a folder with room; nothing was written"),
          r.stderrLines(), r.describe());
      assertEquals(List.of(), keys("tiny"));
      assertEquals(List.of(), TestDatabases.scratchFiles(tiny.dir()), "nothing left in the scratch folder");

      Sqlbak.Result list = Sqlbak.runWithEnvironment(dir, env, "list", "s3://tiny/p/");
      assertEquals(0, list.exitCode(), "listing needs no scratch room: " + list.describe());
    }
  }

  @Test
  void aLocalBackupNeverLoadsTheAwsSdkAndAnS3OneDoes() throws Exception {
    server.createBucket("loads");
    TestDatabases.createSample(dir.resolve("app.db"), false, 50);
    Files.createDirectory(dir.resolve("out"));
    Path localLog = dir.resolve("local-classes.log");
    Map<String, String> env = awsEnvironment();
    env.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + localLog);
    Sqlbak.Result local = Sqlbak.runWithEnvironment(dir, env, "backup", "-q", "app.db", "out/");
    assertEquals(0, local.exitCode(), local.describe());
    String loaded = Files.readString(localLog);
    assertTrue(loaded.contains("dev.sqlbak.engine.BackupEngine"), "the log lists the classes loaded");
    assertFalse(loaded.contains("software.amazon"), "a local backup loaded the AWS SDK");
    assertFalse(loaded.contains("dev.sqlbak.storage.s3."), "a local backup loaded the S3 store");

    Path remoteLog = dir.resolve("remote-classes.log");
    env.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + remoteLog);
    Sqlbak.Result remote = Sqlbak.runWithEnvironment(dir, env, "backup", "-q", "app.db", "s3://loads/");
    assertEquals(0, remote.exitCode(), remote.describe());
    assertTrue(Files.readString(remoteLog).contains("software.amazon.awssdk.services.s3.S3Client"),
        "the same log shows the SDK when an s3:// location is used");
  }
}
