package dev.sqlbak.age;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import dev.sqlbak.TestTmpfs;
import dev.sqlbak.engine.SqlbakException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files on real folders: layout, mode, refusals that leave everything as it was, and keys that work. */
class KeyPairFileTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T03:30:00.789Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void writesAgeKeygensLayoutReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("backup.key");

    KeyPairFile key = KeyPairFile.create(file, CLOCK);

    assertEquals(file, key.file());
    assertTrue(key.publicKey().matches("age1[02-9ac-hj-np-z]{58}"), key.publicKey());
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    assertEquals(3, lines.size(), lines.toString());
    assertEquals("# created: 2026-12-04T03:30:00Z", lines.get(0));
    assertEquals("# public key: " + key.publicKey(), lines.get(1));
    assertTrue(lines.get(2).matches("AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}"), "identity line");
    assertTrue(Files.readString(file).endsWith("\n"), "ends with a newline, as age-keygen's");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void eachKeyIsNew() {
    assertNotEquals(KeyPairFile.create(dir.resolve("a.key")).publicKey(),
        KeyPairFile.create(dir.resolve("b.key")).publicKey());
  }

  @Test
  void theWrittenIdentityDecryptsWhatIsEncryptedToThePublicKey() throws Exception {
    KeyPairFile key = KeyPairFile.create(dir.resolve("backup.key"));
    byte[] plain = "a page of a backup".repeat(5000).getBytes(StandardCharsets.UTF_8);

    ByteArrayOutputStream sealed = new ByteArrayOutputStream();
    try (WritableByteChannel out = new StandardEncryptingChannelFactory().newEncryptingChannel(
        Channels.newChannel(sealed), List.of(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(
            key.publicKey())))) {
      out.write(ByteBuffer.wrap(plain));
    }
    String identity = Files.readAllLines(key.file()).get(2);
    ByteArrayOutputStream opened = new ByteArrayOutputStream();
    try (ReadableByteChannel in = new StandardDecryptingChannelFactory().newDecryptingChannel(
        Channels.newChannel(new ByteArrayInputStream(sealed.toByteArray())),
        List.of(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(identity)))) {
      Channels.newInputStream(in).transferTo(opened);
    }
    assertArrayEquals(plain, opened.toByteArray());
  }

  @Test
  void anExistingFileIsRefusedAndUntouched() throws Exception {
    Path file = Files.writeString(dir.resolve("backup.key"), "AGE-SECRET-KEY-1 the old key\n");
    long modified = Files.getLastModifiedTime(file).toMillis();

    SqlbakException e = assertThrows(SqlbakException.class, () -> KeyPairFile.create(file));

    assertEquals(SqlbakException.Kind.FAILED, e.kind());
    assertEquals("key file exists: " + file + "; a key is never overwritten: choose another name", e.getMessage());
    assertEquals("AGE-SECRET-KEY-1 the old key\n", Files.readString(file));
    assertEquals(modified, Files.getLastModifiedTime(file).toMillis());
  }

  /** A symlink is never followed: not to a file it would overwrite, nor to a place it would create. */
  @Test
  void anExistingSymlinkIsRefusedWhereverItPoints() throws Exception {
    Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
    Path toFile = Files.createSymbolicLink(dir.resolve("to-file.key"), victim);
    Path elsewhere = dir.resolve("world-readable.key");
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling.key"), elsewhere);

    for (Path link : List.of(toFile, dangling)) {
      SqlbakException e = assertThrows(SqlbakException.class, () -> KeyPairFile.create(link));
      assertTrue(e.getMessage().startsWith("key file exists: " + link + ";"), e.getMessage());
      assertTrue(Files.isSymbolicLink(link));
    }
    assertEquals("keep me", Files.readString(victim));
    assertFalse(Files.exists(elsewhere, LinkOption.NOFOLLOW_LINKS), "nothing created through the dangling link");
  }

  @Test
  void aMissingFolderIsNamed() {
    Path folder = dir.resolve("keys");

    SqlbakException e = assertThrows(SqlbakException.class, () -> KeyPairFile.create(folder.resolve("a.key")));

    assertEquals("key folder does not exist: " + folder + "; create it first", e.getMessage());
  }

  @Test
  void aFolderIsNotAKeyFile() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("keys"));

    SqlbakException e = assertThrows(SqlbakException.class, () -> KeyPairFile.create(folder));

    assertTrue(e.getMessage().startsWith("key file is a folder: " + folder + ";"), e.getMessage());
  }

  /** Creating the file succeeds on a full disk; writing it fails, and the empty file must go again. */
  @Test
  void aFullDiskLeavesNoKeyFileBehind() throws Exception {
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 4)) {
      Files.write(fs.dir().resolve("filler"), new byte[4096]);
      Path file = fs.dir().resolve("backup.key");

      SqlbakException e = assertThrows(SqlbakException.class, () -> KeyPairFile.create(file));

      assertEquals("key folder is full: " + fs.dir() + "; free some space; no key file was left behind",
          e.getMessage());
      assertEquals(List.of("filler"), names(fs.dir()));
    }
  }

  @Test
  void aReadOnlyFolderSaysSoAndHoldsNothing() throws Exception {
    try (TestTmpfs fs = TestTmpfs.mount(dir.resolve("fs"), 64)) {
      remount(fs.dir(), "ro");
      Path file = fs.dir().resolve("backup.key");

      SqlbakException e = assertThrows(SqlbakException.class, () -> KeyPairFile.create(file));

      assertEquals("cannot create key file: " + file + "; Read-only file system; nothing was written",
          e.getMessage());
      assertEquals(List.of(), names(fs.dir()));
    }
  }

  private static List<String> names(Path folder) throws Exception {
    try (var files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Remounts a test's tmpfs, as root may; a read-only folder root cannot write is made no other way. */
  private static void remount(Path mountPoint, String option) throws Exception {
    Process p = new ProcessBuilder("mount", "-o", "remount," + option, mountPoint.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "remount," + option + ": " + out);
  }
}
