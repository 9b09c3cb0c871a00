package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.storage.s3.LocalS3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Encryption fails closed through the real process: a bad recipient stops a backup to every kind
 * of destination before anything is written, plain text included, and a backup that will not open
 * (wrong identity, damaged or truncated ciphertext) restores nothing and leaves the target as it was.
 */
class AgeFailClosedIT {
  /** The kinds of destination: each publishes differently, and each must refuse alike. */
  enum Dest { FILE, DIRECTORY, STREAM, S3 }

  /** The bad recipients: what is given, and what the run must exit with. */
  enum Bad {
    MALFORMED_RECIPIENT(2, "sqlbak: malformed age recipient: "),
    SECRET_KEY_AS_RECIPIENT(2, "sqlbak: --encrypt-to takes a public key, not a secret key: (value not shown)"),
    MISSING_RECIPIENTS_FILE(1, "sqlbak: cannot read recipients file: "),
    RECIPIENTS_FILE_OF_COMMENTS(1, "sqlbak: recipients file holds no key: ");

    final int exitCode;
    final String line;

    Bad(int exitCode, String line) {
      this.exitCode = exitCode;
      this.line = line;
    }
  }

  @TempDir static Path shared;
  static Path source;
  static TestAgeKeys alice;
  static TestAgeKeys bob;
  static LocalS3Server server;
  static int buckets;

  @TempDir Path dir;
  Path out;
  Path tmp;
  String bucket;

  @BeforeAll
  static void setUp() throws Exception {
    server = LocalS3Server.start();
    source = TestDatabases.createSample(shared.resolve("app.db"), true, 500);
    alice = TestAgeKeys.in(shared, "alice.key");
    bob = TestAgeKeys.in(shared, "bob.key");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void folders() throws Exception {
    out = Files.createDirectory(dir.resolve("out"));
    tmp = Files.createDirectory(dir.resolve("tmp"));
    bucket = "age-fail-" + (++buckets);
    server.createBucket(bucket);
  }

  /** Each child's own TMPDIR (its scratch folder is scanned), and the S3 server as the aws CLI would be set up. */
  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>(server.credentialsEnvironment());
    env.put("AWS_ENDPOINT_URL", server.endpoint().toString());
    env.put("TMPDIR", tmp.toString());
    return env;
  }

  private Sqlbak.Result sqlbak(List<String> args) {
    return Sqlbak.runWithEnvironment(dir, env(), args.toArray(String[]::new));
  }

  private String destination(Dest dest) {
    return switch (dest) {
      case FILE -> out.resolve("x.db").toString();
      case DIRECTORY -> out + "/";
      case STREAM -> "-";
      case S3 -> "s3://" + bucket + "/p/";
    };
  }

  private List<String> objects() {
    return server.client().listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key)
        .toList();
  }

  /** Nothing anywhere: no file in the destination folder, no object, no plain text, an empty scratch folder. */
  private void assertNothingWritten(Sqlbak.Result r) throws Exception {
    assertEquals(List.of(), TestDatabases.listing(out), "nothing in the destination folder; " + r.describe());
    assertEquals(List.of(), objects(), "no object; " + r.describe());
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp), r.describe());
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "nothing in the scratch folder; " + r.describe());
  }

  /**
   * Each bad input once and each destination kind once, every pair as a process of its own; the
   * whole grid runs in-process in {@code EncryptionCommandTest} and {@code EncryptedBackupTest}
   * (the refusal comes before anything depends on the destination), and here with
   * {@code -Dsqlbak.soak=true}.
   */
  static Stream<Arguments> badRecipientsToEveryDestination() {
    List<Arguments> all = new ArrayList<>();
    Bad[] bads = Bad.values();
    Dest[] dests = Dest.values();
    for (int b = 0; b < bads.length; b++) {
      for (int d = 0; d < dests.length; d++) {
        if (Boolean.getBoolean("sqlbak.soak") || b % dests.length == d) {
          all.add(Arguments.of(bads[b], dests[d]));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} to {1}")
  @MethodSource("badRecipientsToEveryDestination")
  void aBadRecipientStopsTheRunBeforeAnythingIsWritten(Bad bad, Dest dest) throws Exception {
    List<String> args = new ArrayList<>(List.of("backup"));
    args.addAll(switch (bad) {
      case MALFORMED_RECIPIENT -> List.of("--encrypt-to", misspelt(alice.recipient()));
      case SECRET_KEY_AS_RECIPIENT -> List.of("--encrypt-to", alice.secret());
      case MISSING_RECIPIENTS_FILE -> List.of("--encrypt-to-file", dir.resolve("missing.txt").toString());
      case RECIPIENTS_FILE_OF_COMMENTS -> List.of("--encrypt-to-file",
          Files.writeString(dir.resolve("nobody.txt"), "# nobody yet\n\n# " + alice.recipient() + "\n").toString());
    });
    args.addAll(List.of(source.toString(), destination(dest)));

    Sqlbak.Result r = sqlbak(args);

    // Also: stdout, where a stream's bytes would go, is empty.
    String line = assertCleanFailure(r, bad.exitCode);
    assertTrue(line.startsWith(bad.line), r.describe());
    String secretBody = alice.secret().substring("AGE-SECRET-KEY-1".length());
    assertFalse(r.stderr().contains(secretBody) || r.stdout().contains(secretBody), "a secret is never echoed");
    assertNothingWritten(r);
  }

  @Test
  void memoryAsDestinationCannotBeEncrypted() throws Exception {
    Sqlbak.Result r = sqlbak(List.of("backup", "--encrypt-to", alice.recipient(), source.toString(), ":memory:"));
    assertTrue(assertCleanFailure(r, 2).startsWith("sqlbak: --encrypt-to cannot go with :memory:"), r.describe());
    assertNothingWritten(r);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"out/x.db.age", "out/x.db.zst.age", "s3://BUCKET/p/x.db.age"})
  void anAgeDestinationWithoutRecipientsIsAUsageErrorNeverAPlainFile(String destination) throws Exception {
    String dest = destination.replace("BUCKET", bucket);
    Sqlbak.Result r = sqlbak(List.of("backup", source.toString(), dest));
    assertTrue(assertCleanFailure(r, 2).startsWith("sqlbak: the destination's .age suffix asks for encryption: "
        + dest + "; give --encrypt-to"), r.describe());
    assertNothingWritten(r);
  }

  /** A folder backup of {@code db} to alice; returns the published age file. */
  private Path backupToAlice(Path db) throws Exception {
    Sqlbak.Result b = sqlbak(List.of("backup", "-q", "--encrypt-to", alice.recipient(), db.toString(), out + "/"));
    assertEquals(0, b.exitCode(), b.describe());
    List<String> names = TestDatabases.listing(out);
    assertEquals(2, names.size(), names.toString());
    return out.resolve(names.get(0));
  }

  @Test
  void withoutAnIdentityOrWithTheWrongOneNothingIsRestoredAndVerifyChecksOnlyTheHash() throws Exception {
    Path backup = backupToAlice(source);
    Path target = dir.resolve("restored.db");
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result none = sqlbak(List.of("restore", backup.toString(), target.toString()));
    assertTrue(assertCleanFailure(none, 1).startsWith("sqlbak: backup is encrypted: " + backup
        + "; give --identity FILE"), none.describe());
    Sqlbak.Result wrong = sqlbak(List.of("restore", "-i", bob.identityFile().toString(), backup.toString(),
        target.toString()));
    assertTrue(assertCleanFailure(wrong, 1).startsWith("sqlbak: cannot decrypt backup: " + backup), wrong.describe());
    Sqlbak.Result info = sqlbak(List.of("info", "-i", bob.identityFile().toString(), backup.toString()));
    assertTrue(assertCleanFailure(info, 1).startsWith("sqlbak: cannot decrypt backup: "), info.describe());
    Sqlbak.Result verifyWrong = sqlbak(List.of("verify", "-i", bob.identityFile().toString(), backup.toString()));
    assertTrue(assertCleanFailure(verifyWrong, 1).contains("the identity given does not open it"),
        verifyWrong.describe());
    assertFalse(Files.exists(target), "no target was created");
    assertEquals(before, TestDatabases.snapshot(dir), "nothing created, changed or removed");

    Sqlbak.Result verify = sqlbak(List.of("verify", backup.toString()));
    assertEquals(0, verify.exitCode(), verify.describe());
    assertEquals(List.of(backup + ": ok (sha256; encrypted: its content is checked only with --identity)"),
        verify.stderrLines());
    Sqlbak.Result opened = sqlbak(List.of("verify", "-i", bob.identityFile().toString(), "-i",
        alice.identityFile().toString(), backup.toString()));
    assertEquals(List.of(backup + ": ok (sha256, integrity_check)"), opened.stderrLines(), opened.describe());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a byte flipped in the middle", "cut at a chunk boundary"})
  void damagedCiphertextIsABadBackupAndTheTargetKeepsItsContent(String damage) throws Exception {
    // 1 MiB: some 16 chunks of 64 KiB.
    Path backup = backupToAlice(TestDatabases.createLarge(dir.resolve("big.db"), false, 1));
    byte[] bytes = Files.readAllBytes(backup);
    if (damage.startsWith("a byte")) {
      bytes[bytes.length / 2] ^= 0x20;
      Files.write(backup, bytes);
    } else {
      int payload = payloadStart(bytes);
      int chunks = (bytes.length - payload) / 65552;
      assertTrue(chunks > 4, "several whole chunks: " + bytes.length);
      Files.write(backup, java.util.Arrays.copyOf(bytes, payload + chunks / 2 * 65552));
    }
    // A WAL-mode target: merely opening it would create -wal and -shm beside it.
    Path live = Files.createDirectory(dir.resolve("live"));
    Path target = TestDatabases.createSample(live.resolve("target.db"), true, 50);
    // Its digest from a copy: opening it here would leave -wal and -shm beside it.
    String targetDigest = TestDatabases.contentDigest(Files.copy(target, shared.resolve(damage.hashCode() + ".db")));
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result r = sqlbak(List.of("restore", "--force", "-i", alice.identityFile().toString(), backup.toString(),
        target.toString()));
    Sqlbak.Result fresh = sqlbak(List.of("restore", "-i", alice.identityFile().toString(), backup.toString(),
        live.resolve("new.db").toString()));

    for (Sqlbak.Result refused : List.of(r, fresh)) {
      String line = assertCleanFailure(refused, 3);
      assertTrue(line.startsWith("sqlbak: backup is bad: " + backup + ": damaged or truncated age data"),
          refused.describe());
    }
    assertEquals(before, TestDatabases.snapshot(dir), "target, backup and folders exactly as before: no safety copy");
    assertEquals(List.of("target.db"), TestDatabases.listing(live));
    Sqlbak.Result hashOnly = sqlbak(List.of("verify", backup.toString()));
    assertTrue(assertCleanFailure(hashOnly, 3).startsWith("sqlbak: bad backup: " + backup + ": sha256 mismatch"),
        hashOnly.describe());
    Sqlbak.Result v = sqlbak(List.of("verify", "-i", alice.identityFile().toString(), backup.toString()));
    assertTrue(assertCleanFailure(v, 3).startsWith("sqlbak: bad backup: " + backup + ": "), v.describe());
    // Without the sidecar, only the decryption can tell.
    Files.delete(Path.of(backup + ".sha256"));
    Sqlbak.Result content = sqlbak(List.of("verify", "-i", alice.identityFile().toString(), backup.toString()));
    assertTrue(assertCleanFailure(content, 3).startsWith("sqlbak: bad backup: " + backup + ": damaged or truncated"
        + " age data"), content.describe());
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp));
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "the scratch folder is left empty");
    assertEquals(targetDigest, TestDatabases.contentDigest(target), "the target keeps its content");
  }

  /** {@code recipient} with its last character changed: its Bech32 checksum no longer holds. */
  static String misspelt(String recipient) {
    char last = recipient.charAt(recipient.length() - 1);
    return recipient.substring(0, recipient.length() - 1) + (last == 'q' ? 'p' : 'q');
  }

  /** Where an age file's payload starts: past the header's {@code ---} MAC line, and the 16-byte nonce. */
  static int payloadStart(byte[] age) {
    String head = new String(age, 0, Math.min(age.length, 4096), java.nio.charset.StandardCharsets.ISO_8859_1);
    int mac = head.indexOf("\n--- ");
    assertTrue(mac > 0, "no header MAC line");
    return head.indexOf('\n', mac + 1) + 1 + 16;
  }
}
