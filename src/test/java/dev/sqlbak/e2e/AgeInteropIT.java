package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.sqlbak.AgeCli;
import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built sqlbak and the reference age CLI (age, age-keygen) open each other's files: what
 * sqlbak encrypts, compressed or not, to one or several recipients, {@code age -d} decrypts to the
 * source's content, and what {@code age} encrypts, binary or armored, sqlbak restores and verifies.
 */
class AgeInteropIT {
  /** The first line of every binary age file. */
  static final String AGE_HEADER = "age-encryption.org/v1\n";

  @TempDir static Path dir;
  static Path source;
  static String sourceDigest;
  static long users;

  @TempDir Path work;
  private Path tmp;

  @BeforeAll
  static void sourceDatabase() throws Exception {
    // WAL mode, and rows enough for many 64 KiB age chunks.
    source = TestDatabases.createSample(Files.createDirectory(dir.resolve("src")).resolve("app.db"), true, 3000);
    sourceDigest = TestDatabases.contentDigest(source);
    users = TestDatabases.scalar(source, "SELECT count(*) FROM users");
  }

  /** What a run of the age CLI did. */
  record Cli(List<String> command, int exitCode, String stdout, String stderr) {
    String describe() {
      return String.join(" ", command) + " -> exit " + exitCode + "\n--- stdout ---\n" + stdout
          + "--- stderr ---\n" + stderr + "---";
    }
  }

  /** Runs {@code tool args...} (a reference CLI) in {@code cwd} to its end. */
  static Cli run(Path tool, Path cwd, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(tool.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(cwd, "cli", ".out");
    Path err = Files.createTempFile(cwd, "cli", ".err");
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectInput(new File("/dev/null"))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " did not end");
    Cli cli = new Cli(command, p.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return cli;
  }

  /** A new identity file made by {@code age-keygen -o}; returns its public key. */
  static String ageKeygen(Path file) throws Exception {
    Cli made = run(AgeCli.keygen(), file.getParent(), "-o", file.toString());
    assertEquals(0, made.exitCode(), made.describe());
    Cli derived = run(AgeCli.keygen(), file.getParent(), "-y", file.toString());
    assertEquals(0, derived.exitCode(), derived.describe());
    return derived.stdout().strip();
  }

  /** {@code age -d -i identity -o out file}, which must succeed; returns out. */
  static Path ageDecrypt(Path identity, Path file, Path out) throws Exception {
    Cli d = run(AgeCli.require(), out.getParent(), "-d", "-i", identity.toString(), "-o", out.toString(),
        file.toString());
    assertEquals(0, d.exitCode(), d.describe());
    return out;
  }

  /** The environment of every sqlbak run: a TMPDIR of the test's own, whose scratch folder is scanned. */
  private Map<String, String> env() throws Exception {
    if (tmp == null) {
      tmp = Files.createDirectory(work.resolve("tmp"));
    }
    return Map.of("TMPDIR", tmp.toString());
  }

  private Sqlbak.Result sqlbak(String... args) throws Exception {
    return Sqlbak.runWithEnvironment(work, env(), args);
  }

  /** The one backup a folder backup published, with its sidecar beside it and nothing else. */
  private static Path onlyBackupIn(Path folder, String suffix) throws Exception {
    List<String> names = TestDatabases.listing(folder);
    assertEquals(2, names.size(), "one backup and its sidecar: " + names);
    assertTrue(names.get(0).matches("app-\\d{8}T\\d{6}Z" + Pattern.quote(suffix)), names.toString());
    assertEquals(names.get(0) + ".sha256", names.get(1));
    Path backup = folder.resolve(names.get(0));
    assertTrue(new String(Files.readAllBytes(backup), 0, AGE_HEADER.length(), StandardCharsets.ISO_8859_1)
        .equals(AGE_HEADER), "an age file from its first byte: " + backup);
    return backup;
  }

  /** The database {@code plain} holds once decompressed as {@code compression} says, written to {@code db}. */
  private static Path decompressed(Path plain, String compression, Path db) throws Exception {
    try (InputStream raw = Files.newInputStream(plain);
        InputStream in = switch (compression) {
          case "gzip" -> new GZIPInputStream(raw);
          case "zstd" -> new ZstdInputStream(raw);
          default -> raw;
        }) {
      Files.copy(in, db);
    }
    return db;
  }

  private static void assertSourceContent(Path db) throws Exception {
    assertEquals("ok", TestDatabases.integrityCheck(db), "integrity_check of " + db);
    assertEquals(sourceDigest, TestDatabases.contentDigest(db), "content of " + db);
  }

  private void assertNoPlainTextLeft(Path... folders) throws Exception {
    List<Path> roots = new ArrayList<>(List.of(folders));
    roots.add(tmp);
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(roots.toArray(Path[]::new)), "plain text left behind");
  }

  @ParameterizedTest(name = "--compress {0}")
  @ValueSource(strings = {"none", "gzip", "zstd"})
  void whatSqlbakEncryptsAgeDecryptsToTheSourcesContent(String compression) throws Exception {
    Path key = work.resolve("backup.key");
    String recipient = ageKeygen(key);
    Path out = Files.createDirectory(work.resolve("out"));
    String suffix = switch (compression) {
      case "gzip" -> ".gz.age";
      case "zstd" -> ".zst.age";
      default -> ".age";
    };

    Sqlbak.Result r = sqlbak("backup", "--encrypt-to", recipient, "--compress", compression, source.toString(),
        out + "/");

    assertEquals(0, r.exitCode(), r.describe());
    Path backup = onlyBackupIn(out, ".db" + suffix);
    String sidecar = Files.readString(Path.of(backup + ".sha256"));
    assertTrue(sidecar.contains("\n# encryption: age\n# recipients: 1\n"), sidecar);
    assertEquals(TestDatabases.sha256(backup) + "  " + backup.getFileName() + "\n",
        TestDatabases.hashLine(Path.of(backup + ".sha256")), "the sidecar hashes the ciphertext");
    Path plain = ageDecrypt(key, backup, work.resolve("decrypted"));
    assertSourceContent(decompressed(plain, compression, work.resolve("opened.db")));
    assertNoPlainTextLeft(out);
  }

  /** The README's way back without sqlbak: {@code age -d -i backup.key app-….db.zst.age | zstd -d > app.db}. */
  @Test
  void theReadmesPipelineWithoutSqlbakGivesBackTheDatabase() throws Exception {
    Path key = work.resolve("backup.key");
    String recipient = ageKeygen(key);
    Sqlbak.Result r = sqlbak("backup", "-q", "--compress", "zstd", "--encrypt-to", recipient, source.toString(),
        work + "/");
    assertEquals(0, r.exitCode(), r.describe());
    List<String> names = TestDatabases.listing(work).stream().filter(n -> n.endsWith(".db.zst.age")).toList();
    assertEquals(1, names.size(), TestDatabases.listing(work).toString());
    Assumptions.assumeTrue(onPath("zstd"), "the zstd CLI is not on PATH, and the README's pipeline needs it; the"
        + " other tests decompress in Java, so the zstd CLI is no test requirement");

    // As written, with pipefail so that a failing age is not hidden by zstd's exit status.
    Sqlbak.Result p = Sqlbak.runScript(work, Map.of(), "set -o pipefail; age -d -i backup.key " + names.get(0)
        + " | zstd -d > app.db");

    assertEquals(0, p.exitCode(), p.describe());
    assertSourceContent(work.resolve("app.db"));
  }

  @ParameterizedTest(name = "age {0}, payload {1}")
  @CsvSource({"-r, none", "-R, gzip", "-a, zstd"})
  void whatAgeEncryptsSqlbakRestoresAndVerifies(String how, String compression) throws Exception {
    Path key = work.resolve("age.key");
    String recipient = ageKeygen(key);
    // age encrypts a rollback-mode copy, compressed here as sqlbak would: sqlbak decrypts, then decompresses.
    Path db = Files.copy(source, work.resolve("copy.db"));
    try (var c = TestDatabases.open(db); var s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=DELETE");
    }
    String suffix = compression.equals("gzip") ? ".gz" : compression.equals("zstd") ? ".zst" : "";
    Path payload = compressed(db, compression, work.resolve("app.db" + suffix));
    Path sealed = work.resolve("app.db" + suffix + ".age");
    List<String> args = new ArrayList<>(switch (how) {
      case "-R" -> List.of("-R", Files.writeString(work.resolve("recipients.txt"),
          "# the backup key\n\n" + recipient + "\n").toString());
      case "-a" -> List.of("-a", "-r", recipient);
      default -> List.of("-r", recipient);
    });
    args.addAll(List.of("-o", sealed.toString(), payload.toString()));
    Cli e = run(AgeCli.require(), work, args.toArray(String[]::new));
    assertEquals(0, e.exitCode(), e.describe());
    assertTrue(Files.readString(sealed, StandardCharsets.ISO_8859_1).startsWith(
        how.equals("-a") ? "-----BEGIN AGE ENCRYPTED FILE-----" : AGE_HEADER), how);

    Sqlbak.Result v = sqlbak("verify", "-i", key.toString(), sealed.toString());
    assertEquals(0, v.exitCode(), v.describe());
    assertEquals(List.of(sealed + ": ok (integrity_check)"), v.stderrLines(), "the content is checked");
    Sqlbak.Result i = sqlbak("info", "-i", key.toString(), sealed.toString());
    assertEquals(0, i.exitCode(), i.describe());
    assertTrue(i.stdout().contains("encryption:     age") && i.stdout().contains("  users\t" + users + "\n"),
        i.describe());
    Path restored = work.resolve("restored.db");
    Sqlbak.Result r = sqlbak("restore", "-q", "-i", key.toString(), sealed.toString(), restored.toString());
    assertEquals(0, r.exitCode(), r.describe());
    assertSourceContent(restored);
    assertEquals("rollback", TestDatabases.headerJournalMode(restored));
    assertNoPlainTextLeft();
  }

  private static Path compressed(Path db, String compression, Path out) throws Exception {
    if (compression.equals("none")) {
      return Files.copy(db, out);
    }
    try (OutputStream file = Files.newOutputStream(out);
        OutputStream c = compression.equals("gzip") ? new GZIPOutputStream(file) : new ZstdOutputStream(file)) {
      Files.copy(db, c);
    }
    return out;
  }

  @Test
  void aBackupToOneKeyAndARecipientsFileOfTwoOpensWithEachOfTheThree() throws Exception {
    Path keys = Files.createDirectory(work.resolve("keys"));
    List<Path> identities = List.of(keys.resolve("a.key"), keys.resolve("b.key"), keys.resolve("c.key"));
    List<String> recipients = new ArrayList<>();
    for (Path identity : identities) {
      recipients.add(ageKeygen(identity));
    }
    Path stranger = keys.resolve("stranger.key");
    ageKeygen(stranger);
    Path file = Files.writeString(work.resolve("team.txt"),
        "# the team\n" + recipients.get(1) + "\n\n# on call\n" + recipients.get(2) + "\n");
    Path out = Files.createDirectory(work.resolve("out"));

    Sqlbak.Result r = sqlbak("backup", "--encrypt-to", recipients.get(0), "--encrypt-to-file", file.toString(),
        source.toString(), out + "/");

    assertEquals(0, r.exitCode(), r.describe());
    Path backup = onlyBackupIn(out, ".db.age");
    assertTrue(Files.readString(Path.of(backup + ".sha256")).contains("\n# recipients: 3\n"));
    for (Path identity : identities) {
      Path opened = ageDecrypt(identity, backup, work.resolve("opened-" + identity.getFileName() + ".db"));
      assertSourceContent(opened);
    }
    Cli refused = run(AgeCli.require(), work, "-d", "-i", stranger.toString(), "-o", work.resolve("no.db").toString(),
        backup.toString());
    assertEquals(1, refused.exitCode(), "a key it was not encrypted to: " + refused.describe());
    assertNoPlainTextLeft(out);
  }

  @Test
  void keysFromSqlbakKeygenWorkWithAgeAndAgeKeygensKeysWithSqlbak() throws Exception {
    Path own = work.resolve("sqlbak.key");
    Sqlbak.Result k = sqlbak("keygen", own.toString());
    assertEquals(0, k.exitCode(), k.describe());
    assertEquals(1, k.stdoutLines().size(), "the public key alone on stdout: " + k.describe());
    String ownRecipient = k.stdoutLines().get(0);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own)));
    assertEquals(ownRecipient + "\n", run(AgeCli.keygen(), work, "-y", own.toString()).stdout());
    Path theirs = work.resolve("age.key");
    String theirRecipient = ageKeygen(theirs);

    // age encrypts to sqlbak's key; age and sqlbak both open it with sqlbak's identity file.
    Path db = TestDatabases.createSample(work.resolve("small.db"), false, 400);
    Path sealed = work.resolve("small.db.age");
    Cli e = run(AgeCli.require(), work, "-r", ownRecipient, "-o", sealed.toString(), db.toString());
    assertEquals(0, e.exitCode(), e.describe());
    assertEquals(TestDatabases.sha256(db), TestDatabases.sha256(ageDecrypt(own, sealed, work.resolve("back.db"))));
    Sqlbak.Result r = sqlbak("restore", "-q", "-i", own.toString(), sealed.toString(), "restored.db");
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals(TestDatabases.contentDigest(db), TestDatabases.contentDigest(work.resolve("restored.db")));

    // sqlbak encrypts to both keys; age opens it with sqlbak's, sqlbak with age-keygen's.
    Path out = Files.createDirectory(work.resolve("out"));
    Sqlbak.Result b = sqlbak("backup", "-q", "-r", ownRecipient, "-r", theirRecipient, source.toString(), out + "/");
    assertEquals(0, b.exitCode(), b.describe());
    Path backup = onlyBackupIn(out, ".db.age");
    assertSourceContent(ageDecrypt(own, backup, work.resolve("by-age.db")));
    Sqlbak.Result t = sqlbak("restore", "-q", "-i", theirs.toString(), backup.toString(), "by-sqlbak.db");
    assertEquals(0, t.exitCode(), t.describe());
    assertSourceContent(work.resolve("by-sqlbak.db"));
    assertNoPlainTextLeft(out);
  }

  private static boolean onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return true;
      }
    }
    return false;
  }
}
