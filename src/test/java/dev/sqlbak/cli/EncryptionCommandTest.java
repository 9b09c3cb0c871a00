package dev.sqlbak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.OwnTmpdir;
import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The age options through {@link SqlbakCommand#run}: exit codes, the one line on stderr, and
 * stdout carrying only data, for encrypted backups and for every way of asking wrongly.
 */
class EncryptionCommandTest {
  @TempDir Path dir;
  @RegisterExtension final OwnTmpdir ownTmpdir = new OwnTmpdir();
  private String src;
  private Path out;
  private Path tmp;
  private TestAgeKeys key;

  @BeforeEach
  void setUp() throws Exception {
    src = TestDatabases.createSample(dir.resolve("app.db"), false, 300).toString();
    out = Files.createDirectory(dir.resolve("out"));
    key = TestAgeKeys.in(dir, "backup.key");
    tmp = ownTmpdir.dir();
  }

  private Path onlyBackup() throws Exception {
    List<String> names = TestDatabases.listing(out).stream().filter(n -> !n.endsWith(".sha256")).toList();
    assertEquals(1, names.size(), names.toString());
    return out.resolve(names.get(0));
  }

  @Test
  void anEncryptedBackupSaysSoAndItsJsonCountsTheRecipients() throws Exception {
    CliRun r = CliRun.of("backup", "--compress", "zstd", "--encrypt-to", key.recipient(), src, out.toString());
    assertEquals(0, r.exitCode(), r.toString());
    Path backup = onlyBackup();
    assertTrue(backup.getFileName().toString().endsWith(".db.zst.age"), backup.toString());
    assertEquals("", r.out());
    assertTrue(r.err().contains(", encrypted with age to 1 recipient\n"), r.err());

    CliRun json = CliRun.of("backup", "--json", "-r", key.recipient(), "-r", TestAgeKeys.in(dir, "b.key").recipient(),
        src, out.resolve("one.db").toString());
    assertEquals(0, json.exitCode(), json.toString());
    JsonObject o = JsonParser.parseString(json.out()).getAsJsonObject();
    assertEquals("age", o.get("encryption").getAsString());
    assertEquals(2, o.get("recipients").getAsInt());
    assertEquals(out.resolve("one.db.age").toString(), o.get("destination").getAsString());
  }

  @Test
  void restoreVerifyAndInfoOpenItWithTheIdentity() throws Exception {
    assertEquals(0, CliRun.of("backup", "-q", "-r", key.recipient(), src, out.toString()).exitCode());
    Path backup = onlyBackup();
    Path target = dir.resolve("restored.db");
    String id = key.identityFile().toString();

    CliRun restore = CliRun.of("restore", "--identity", id, backup.toString(), target.toString());
    assertEquals(0, restore.exitCode(), restore.toString());
    assertEquals(TestDatabases.contentDigest(Path.of(src)), TestDatabases.contentDigest(target));

    CliRun verify = CliRun.of("verify", "-i", id, backup.toString());
    assertEquals(0, verify.exitCode(), verify.toString());
    assertEquals(List.of(backup + ": ok (sha256, integrity_check)"), verify.errLines());
    CliRun hashOnly = CliRun.of("verify", backup.toString());
    assertEquals(0, hashOnly.exitCode(), hashOnly.toString());
    assertEquals(List.of(backup + ": ok (sha256; encrypted: its content is checked only with --identity)"),
        hashOnly.errLines());

    CliRun info = CliRun.of("info", "-i", id, backup.toString());
    assertEquals(0, info.exitCode(), info.toString());
    assertTrue(info.out().contains("encryption:     age\n"), info.out());
    CliRun list = CliRun.of("list", out.toString());
    assertEquals(0, list.exitCode(), list.toString());
    assertTrue(list.out().contains("  age  sidecar"), list.out());
  }

  @Test
  void withoutTheRightIdentityEachCommandSaysWhichOptionOnOneLine() throws Exception {
    assertEquals(0, CliRun.of("backup", "-q", "-r", key.recipient(), src, out.toString()).exitCode());
    Path backup = onlyBackup();
    Path target = dir.resolve("never.db");
    for (String[] args : new String[][] {
        {"restore", backup.toString(), target.toString()},
        {"info", backup.toString()}}) {
      CliRun r = CliRun.of(args);
      assertEquals(1, r.exitCode(), r.toString());
      assertEquals(1, r.errLines().size(), r.toString());
      assertTrue(r.err().startsWith("sqlbak: backup is encrypted: "), r.toString());
      assertTrue(r.err().contains("give --identity FILE"), r.toString());
      assertEquals("", r.out());
    }
    Path other = TestAgeKeys.in(dir, "other.key").identityFile();
    CliRun wrong = CliRun.of("restore", "-i", other.toString(), backup.toString(), target.toString());
    assertEquals(1, wrong.exitCode(), wrong.toString());
    assertEquals(1, wrong.errLines().size(), wrong.toString());
    assertTrue(wrong.err().startsWith("sqlbak: cannot decrypt backup: "), wrong.toString());
    assertFalse(Files.exists(target));
  }

  @Test
  void aDamagedBackupIsExitThreeAndNothingIsRestored() throws Exception {
    assertEquals(0, CliRun.of("backup", "-q", "-r", key.recipient(), src, out.toString()).exitCode());
    Path backup = onlyBackup();
    byte[] bytes = Files.readAllBytes(backup);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(backup, bytes);
    Path target = dir.resolve("never.db");
    CliRun r = CliRun.of("restore", "-i", key.identityFile().toString(), backup.toString(), target.toString());
    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: backup is bad: " + backup + ": damaged or truncated age data"),
        r.toString());
    assertFalse(Files.exists(target));
    CliRun verify = CliRun.of("verify", "-i", key.identityFile().toString(), backup.toString());
    assertEquals(3, verify.exitCode(), verify.toString());
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsWritten() throws Exception {
    String[][] usage = {
        {"backup", "--encrypt-to", "age1notakey", src, out.toString()},
        {"backup", "--encrypt-to", key.secret(), src, out.toString()},
        {"backup", "--encrypt-to", "", src, out.toString()},
        {"backup", "-r", key.recipient(), src, ":memory:"},
        {"backup", src, out.resolve("x.db.age").toString()}};
    for (String[] args : usage) {
      CliRun r = CliRun.binary(args);
      assertEquals(2, r.exitCode(), r.toString());
      assertTrue(r.errLines().get(0).startsWith("sqlbak: "), r.toString());
      assertFalse(r.err().contains(key.secret().substring(16)), "a secret is never echoed: " + r);
      assertEquals("", r.out());
    }
    CliRun missing = CliRun.of("backup", "--encrypt-to-file", dir.resolve("nobody.txt").toString(), src,
        out.toString());
    assertEquals(1, missing.exitCode(), missing.toString());
    assertEquals(List.of("sqlbak: cannot read recipients file: " + dir.resolve("nobody.txt")
        + "; no such file or directory"), missing.errLines());
    CliRun stream = CliRun.binary("backup", "-r", "age1bad", src, "-");
    assertEquals(2, stream.exitCode(), stream.toString());
    assertEquals(0, stream.stdoutBytes().length, "nothing on stdout");
    assertEquals(List.of(), TestDatabases.listing(out));
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(tmp));
  }

  @Test
  void helpShowsTheOptions() {
    assertTrue(CliRun.of("backup", "--help").out().contains("--encrypt-to-file=FILE"));
    for (String command : new String[] {"restore", "verify", "info"}) {
      assertTrue(CliRun.of(command, "--help").out().contains("--identity=FILE"), command);
    }
  }
}
