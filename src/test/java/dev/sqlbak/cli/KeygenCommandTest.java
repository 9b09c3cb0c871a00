package dev.sqlbak.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.AgeCli;
import dev.sqlbak.TestTmpfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen through the CLI entry point: stdout carries the public key alone, and the reference age reads the file. */
class KeygenCommandTest {
  private static final String PUBLIC_KEY = "age1[02-9ac-hj-np-z]{58}";

  @TempDir Path dir;

  @Test
  void printsThePublicKeyAloneOnStdoutAndNothingOnStderr() throws Exception {
    Path file = dir.resolve("backup.key");

    CliRun r = CliRun.binary("keygen", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().matches(PUBLIC_KEY + "\n"), r.toString());
    assertEquals("# public key: " + r.out().strip(), Files.readAllLines(file).get(1));
  }

  @Test
  void jsonIsOneObjectWithTheFileAndThePublicKey() throws Exception {
    Path file = dir.resolve("backup.key");

    CliRun r = CliRun.of("keygen", "--json", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    assertEquals(1, r.out().lines().count(), r.out());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(Set.of("file", "publicKey"), o.keySet());
    assertEquals(file.toString(), o.get("file").getAsString());
    assertTrue(o.get("publicKey").getAsString().matches(PUBLIC_KEY), r.out());
    assertEquals("# public key: " + o.get("publicKey").getAsString(), Files.readAllLines(file).get(1));
  }

  @Test
  void anExistingFileIsOneLineAndExit1() throws Exception {
    Path file = Files.writeString(dir.resolve("backup.key"), "precious\n");

    CliRun r = CliRun.of("keygen", file.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of("sqlbak: key file exists: " + file + "; a key is never overwritten: choose another name"),
        r.errLines());
    assertEquals("precious\n", Files.readString(file));
  }

  @Test
  void aMissingFolderIsOneLineNamingIt() {
    Path folder = dir.resolve("keys");

    CliRun r = CliRun.of("keygen", folder.resolve("backup.key").toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of("sqlbak: key folder does not exist: " + folder + "; create it first"), r.errLines());
  }

  @Test
  void aFullDiskIsOneLineAndLeavesNothing() throws Exception {
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 4)) {
      Files.write(fs.dir().resolve("filler"), new byte[4096]);

      CliRun r = CliRun.of("keygen", fs.dir().resolve("backup.key").toString());

      assertEquals(1, r.exitCode(), r.toString());
      assertEquals("", r.out());
      assertEquals(List.of("sqlbak: key folder is full: " + fs.dir() + "; free some space; no key file was left behind"),
          r.errLines());
      assertFalse(Files.exists(fs.dir().resolve("backup.key")));
    }
  }

  @Test
  void anEmptyFileNameIsAUsageError() {
    CliRun r = CliRun.binary("keygen", "");

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("sqlbak: FILE '': an empty name; name a file, e.g. sqlbak keygen backup.key", r.errLines().get(0));
  }

  @Test
  void dashIsAUsageErrorSinceASecretIsNeverWrittenToAStream() {
    CliRun r = CliRun.binary("keygen", "-");

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(0, r.stdoutBytes().length);
    assertEquals(List.of("sqlbak: FILE '-': a secret key is never written to a stream; name a file,"
        + " e.g. sqlbak keygen backup.key", "Try 'sqlbak keygen --help' for more information."), r.errLines());
    assertFalse(Files.exists(Path.of("-")), "no file named '-' in the working directory");
  }

  @Test
  void helpSaysWhatTheKeyIsFor() {
    CliRun r = CliRun.of("keygen", "--help");

    assertEquals(0, r.exitCode(), r.toString());
    String help = r.out().replaceAll("\\s+", " ");
    for (String text : List.of("Usage: sqlbak keygen", "age identity (X25519)", "age -d -i FILE",
        "--identity FILE", "--encrypt-to", "--json", "Exit codes:")) {
      assertTrue(help.contains(text), text + " missing from:\n" + r.out());
    }
    assertTrue(CliRun.of("--help").out().contains("keygen"), "the command list names keygen");
  }

  /** The reference CLI agrees: age-keygen -y derives the printed key, and age decrypts with the file. */
  @Test
  void theReferenceAgeReadsTheKeyFile() throws Exception {
    Path age = AgeCli.require();
    Path ageKeygen = AgeCli.keygen();
    Path file = dir.resolve("backup.key");
    String publicKey = CliRun.of("keygen", file.toString()).out().strip();

    assertEquals(publicKey + "\n", run(ageKeygen.toString(), "-y", file.toString()));

    byte[] plain = "pages of a backup\n".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    Path original = Files.write(dir.resolve("app.db"), plain);
    Path sealed = dir.resolve("app.db.age");
    run(age.toString(), "-r", publicKey, "-o", sealed.toString(), original.toString());
    Path opened = dir.resolve("opened.db");
    run(age.toString(), "-d", "-i", file.toString(), "-o", opened.toString(), sealed.toString());
    assertArrayEquals(plain, Files.readAllBytes(opened));
  }

  /** Runs a command to its end and returns its stdout; it must exit 0. */
  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + err);
    return out;
  }
}
