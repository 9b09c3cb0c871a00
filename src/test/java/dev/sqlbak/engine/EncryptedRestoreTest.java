package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.OwnTmpdir;
import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.age.Recipients;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Options;
import java.io.ByteArrayInputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading encrypted backups on real files: restore, verify, info and prune with the right
 * identity, a wrong one, none, and damaged ciphertext; and what is left in the scratch folder.
 */
class EncryptedRestoreTest {
  @TempDir Path dir;
  @RegisterExtension final OwnTmpdir ownTmpdir = new OwnTmpdir();
  private Path source;
  private Path out;
  private Path tmp;
  private TestAgeKeys alice;
  private TestAgeKeys eve;
  private Path backup;

  @BeforeEach
  void setUp() throws Exception {
    source = createSample(Files.createDirectory(dir.resolve("src")).resolve("app.db"), false, 800);
    out = Files.createDirectory(dir.resolve("out"));
    alice = TestAgeKeys.in(dir, "alice.key");
    eve = TestAgeKeys.in(dir, "eve.key");
    tmp = ownTmpdir.dir();
    backup = new BackupEngine().backup(BackupRequest.of(source, out.toString()).withCompression(Compression.ZSTD)
        .withRecipients(new Recipients(List.of(alice.recipient()), List.of())), ProgressListener.NONE)
        .copies().get(0).file();
  }

  private RestoreRequest restoreOf(Path from, Path target, Path... identities) {
    return RestoreRequest.of(from, target).withIdentities(List.of(identities));
  }

  private SqlbakException restoreFails(RestoreRequest request) {
    return assertThrows(SqlbakException.class, () -> new RestoreEngine().restore(request, ProgressListener.NONE));
  }

  @Test
  void theRightIdentityRestoresTheContentAndLeavesNoPlainTextInTheScratchFolder() throws Exception {
    Path target = dir.resolve("restored.db");
    new RestoreEngine().restore(restoreOf(backup, target, eve.identityFile(), alice.identityFile()),
        ProgressListener.NONE);
    assertEquals(contentDigest(source), contentDigest(target));
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(tmp), "the decrypted copy is gone");
  }

  @Test
  void withoutAnIdentityOrWithAWrongOneTheRunFailsNamingTheOptionAndTouchesNothing() throws Exception {
    Path target = createSample(dir.resolve("live.db"), false, 10);
    String before = contentDigest(target);
    SqlbakException none = restoreFails(restoreOf(backup, target).withForce(true));
    assertEquals(SqlbakException.Kind.FAILED, none.kind());
    assertEquals("backup is encrypted: " + backup + "; give --identity FILE, the age identity (secret key) it was"
        + " encrypted to; the target was not touched", none.getMessage());
    SqlbakException wrong = restoreFails(restoreOf(backup, target, eve.identityFile()).withForce(true));
    assertEquals(SqlbakException.Kind.FAILED, wrong.kind());
    assertTrue(wrong.getMessage().startsWith("cannot decrypt backup: " + backup + ": the identity given does not"
        + " open it; it was encrypted to other keys"), wrong.getMessage());
    assertEquals(before, contentDigest(target));
    assertFalse(TestDatabases.listing(dir).stream().anyMatch(n -> n.contains("pre-restore")), "no safety copy");
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(tmp));
  }

  @Test
  void aDamagedCiphertextIsABadBackupAndNothingIsRestored() throws Exception {
    Path damaged = Files.copy(backup, dir.resolve("damaged.db.zst.age"));
    try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x40);
    }
    Path target = dir.resolve("new.db");
    SqlbakException e = restoreFails(restoreOf(damaged, target, alice.identityFile()));
    assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("damaged or truncated age data"), e.getMessage());
    assertFalse(Files.exists(target));

    byte[] whole = Files.readAllBytes(backup);
    Path cut = Files.write(dir.resolve("cut.db.zst.age"), Arrays.copyOf(whole, whole.length - 100));
    assertEquals(SqlbakException.Kind.BAD_BACKUP, restoreFails(restoreOf(cut, target, alice.identityFile())).kind());
    assertFalse(Files.exists(target));
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(tmp), "the partly decrypted copy is gone");
  }

  @Test
  void aStreamIsRecognisedByItsContent() throws Exception {
    Path target = dir.resolve("from-stream.db");
    new RestoreEngine().restore(RestoreRequest.of(BackupOrigin.standardInput(
        new ByteArrayInputStream(Files.readAllBytes(backup))), target).withIdentities(List.of(alice.identityFile())),
        ProgressListener.NONE);
    assertEquals(contentDigest(source), contentDigest(target));
    SqlbakException none = restoreFails(RestoreRequest.of(BackupOrigin.standardInput(
        new ByteArrayInputStream(Files.readAllBytes(backup))), dir.resolve("other.db")));
    assertTrue(none.getMessage().startsWith("backup is encrypted: "), none.getMessage());
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(tmp));
  }

  @Test
  void contentDecidesNotTheName() throws Exception {
    Path plainNamedAge = Files.copy(source, dir.resolve("plain.db.age"));
    Path target = dir.resolve("a.db");
    new RestoreEngine().restore(restoreOf(plainNamedAge, target), ProgressListener.NONE);
    assertEquals(contentDigest(source), contentDigest(target));
    Path ageNamedPlain = Files.copy(backup, dir.resolve("backup.db"));
    Path target2 = dir.resolve("b.db");
    new RestoreEngine().restore(restoreOf(ageNamedPlain, target2, alice.identityFile()), ProgressListener.NONE);
    assertEquals(contentDigest(source), contentDigest(target2));
  }

  @Test
  void verifyChecksTheContentWithAnIdentityAndOnlyTheHashWithout() throws Exception {
    Verdict full = new VerifyEngine().verify(VerifyRequest.of(List.of(backup))
        .withIdentities(List.of(alice.identityFile()))).get(0);
    assertEquals(Verdict.Status.OK, full.status(), full.toString());
    assertEquals(List.of("sha256", "integrity_check"), full.checks());

    Verdict hashOnly = new VerifyEngine().verify(VerifyRequest.of(List.of(backup))).get(0);
    assertEquals(Verdict.Status.OK, hashOnly.status(), hashOnly.toString());
    assertEquals(List.of("sha256"), hashOnly.checks());
    assertEquals("encrypted: its content is checked only with --identity", hashOnly.hint().orElseThrow());

    Files.write(backup, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    Verdict changed = new VerifyEngine().verify(VerifyRequest.of(List.of(backup))).get(0);
    assertEquals(Verdict.Status.BAD, changed.status(), "a changed byte fails the hash without any key");
    Verdict changedWithKey = new VerifyEngine().verify(VerifyRequest.of(List.of(backup))
        .withIdentities(List.of(alice.identityFile()))).get(0);
    assertEquals(Verdict.Status.BAD, changedWithKey.status());

    Files.delete(Path.of(backup + ".sha256"));
    Verdict noSidecar = new VerifyEngine().verify(VerifyRequest.of(List.of(backup))).get(0);
    assertEquals(Verdict.Status.UNREADABLE, noSidecar.status(), "nothing at all could be checked");
    assertTrue(noSidecar.problems().get(0).contains("--identity"), noSidecar.toString());
    Verdict wrong = new VerifyEngine().verify(VerifyRequest.of(List.of(backup))
        .withIdentities(List.of(eve.identityFile()))).get(0);
    assertEquals(Verdict.Status.UNREADABLE, wrong.status(), wrong.toString());
  }

  @Test
  void infoDescribesTheContentWithAnIdentity() throws Exception {
    DatabaseInfo info = new InfoEngine().info(Location.of(backup), S3Options.DEFAULTS, List.of(alice.identityFile()));
    assertTrue(info.encrypted());
    assertEquals(Compression.ZSTD, info.compression());
    assertEquals(TestDatabases.tableRowCounts(source).get("users"),
        info.tables().stream().filter(t -> t.name().equals("users")).findFirst().orElseThrow().rows());
    SqlbakException none = assertThrows(SqlbakException.class,
        () -> new InfoEngine().info(Location.of(backup), S3Options.DEFAULTS, List.of()));
    assertTrue(none.getMessage().startsWith("backup is encrypted: " + backup + "; give --identity FILE"),
        none.getMessage());
  }

  @Test
  void identityFilesAreCheckedBeforeAnythingElse() throws Exception {
    Path target = dir.resolve("never.db");
    Path publicOnly = Files.writeString(dir.resolve("public.txt"), alice.recipient() + "\n");
    SqlbakException e = restoreFails(restoreOf(backup, target, publicOnly));
    assertTrue(e.getMessage().startsWith("identity file holds a public key, not a secret key: " + publicOnly
        + " line 1"), e.getMessage());
    Path empty = Files.writeString(dir.resolve("empty.key"), "# nothing\n");
    assertTrue(restoreFails(restoreOf(backup, target, empty)).getMessage().startsWith("identity file holds no key"));
    SqlbakException missing = restoreFails(restoreOf(backup, target, dir.resolve("gone.key")));
    assertTrue(missing.getMessage().startsWith("cannot read identity file: " + dir.resolve("gone.key")),
        missing.getMessage());
    // A device has no size to check first: the read itself is bounded.
    SqlbakException endless = restoreFails(restoreOf(backup, target, Path.of("/dev/zero")));
    assertTrue(endless.getMessage().startsWith("identity file too large: /dev/zero"), endless.getMessage());
    SqlbakException garbage = restoreFails(restoreOf(backup, target, backup));
    assertFalse(garbage.getMessage().contains("AGE-SECRET"), garbage.getMessage());
    assertFalse(Files.exists(target));
  }

  @Test
  void pruneKeepsTheNewestEncryptedBackupWhoseHashMatchesWithoutAnyKey() throws Exception {
    Path second = new BackupEngine().backup(BackupRequest.of(source, out.toString()).withCompression(Compression.ZSTD)
        .withRecipients(new Recipients(List.of(alice.recipient()), List.of())), ProgressListener.NONE)
        .copies().get(0).file();
    // The newest one's bytes changed after it was written: it no longer matches its sidecar.
    Files.write(second, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    PruneResult result = new PruneEngine().prune(new PruneRequest(out, 1, null, null, null, null, false));
    StemPrune stem = result.stems().get(0);
    assertEquals(Location.of(backup), stem.newestGood(), "the older one, whose hash matches, is the newest good");
    assertTrue(Files.exists(backup), "never removed: the newest good backup");
  }

  @Test
  void anEncryptedOrCompressedFileOfNothingIsABadBackupNotAnEmptyDatabase() throws Exception {
    Path target = createSample(dir.resolve("live.db"), false, 10);
    String before = contentDigest(target);
    Path emptyAge = dir.resolve("empty.db.age");
    try (java.io.OutputStream out = dev.sqlbak.age.AgeKeys.encryption(new Recipients(List.of(alice.recipient()),
        List.of())).encrypting(Files.newOutputStream(emptyAge))) {
      // nothing written: an age file of zero bytes
    }
    Path emptyGz = dir.resolve("empty.db.gz");
    new java.util.zip.GZIPOutputStream(Files.newOutputStream(emptyGz)).close();
    for (Path empty : List.of(emptyAge, emptyGz)) {
      SqlbakException e = restoreFails(restoreOf(empty, target, alice.identityFile()).withForce(true));
      assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("(0 bytes), not a database"), e.getMessage());
      assertEquals(before, contentDigest(target), empty + " must not empty the target");
      Verdict v = new VerifyEngine().verify(VerifyRequest.of(List.of(empty))
          .withIdentities(List.of(alice.identityFile()))).get(0);
      assertEquals(Verdict.Status.BAD, v.status(), v.toString());
    }
  }

  @Test
  void checksAskedForByNameAreNotSkippedForWantOfAKey() throws Exception {
    Verdict assertion = new VerifyEngine().verify(new VerifyRequest(List.of(backup), null, null,
        List.of("SELECT 0"), null)).get(0);
    assertEquals(Verdict.Status.UNREADABLE, assertion.status(), assertion.toString());
    assertEquals(List.of("encrypted with age: --assert needs --identity FILE to open it"), assertion.problems());
    Verdict against = new VerifyEngine().verify(new VerifyRequest(List.of(backup), null, source, null, null)).get(0);
    assertEquals(Verdict.Status.UNREADABLE, against.status(), against.toString());
  }

  @Test
  void anArmoredFileIsReadAndOneCutShortIsABadBackup() throws Exception {
    Path armored = dir.resolve("armored.db.age");
    try (java.nio.channels.WritableByteChannel ch = new com.exceptionfactory.jagged.framework.armor
        .ArmoredEncryptingChannelFactory().newEncryptingChannel(Files.newByteChannel(armored,
            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE),
        List.of(com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory
            .newRecipientStanzaWriter(alice.recipient())))) {
      ch.write(java.nio.ByteBuffer.wrap(Files.readAllBytes(source)));
    }
    Path target = dir.resolve("from-armor.db");
    new RestoreEngine().restore(restoreOf(armored, target, alice.identityFile()), ProgressListener.NONE);
    assertEquals(contentDigest(source), contentDigest(target));

    List<String> lines = Files.readAllLines(armored);
    Path cut = Files.write(dir.resolve("cut-armor.db.age"), lines.subList(0, lines.size() / 2));
    byte[] bytes = Files.readAllBytes(armored);
    Path cutMidLine = Files.write(dir.resolve("cut-mid-line.db.age"), Arrays.copyOf(bytes, bytes.length / 3 + 7));
    for (Path damaged : List.of(cut, cutMidLine)) {
      SqlbakException e = restoreFails(restoreOf(damaged, dir.resolve("never.db"), alice.identityFile()));
      assertEquals(SqlbakException.Kind.BAD_BACKUP, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("damaged or truncated age data"), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("never.db")));
  }

  @Test
  void aPassphraseFileIsSaidToBeOneNotAWrongKey() throws Exception {
    // What age -p writes: one scrypt stanza, which no identity file can open.
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder().withoutPadding();
    String header = "age-encryption.org/v1\n-> scrypt " + b64.encodeToString(new byte[16]) + " 18\n"
        + b64.encodeToString(new byte[32]) + "\n--- " + b64.encodeToString(new byte[32]) + "\n";
    Path passphrase = Files.write(dir.resolve("pw.db.age"), (header + "0123456789abcdef0123456789abcdef")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    SqlbakException e = restoreFails(restoreOf(passphrase, dir.resolve("never.db"), alice.identityFile()));
    assertEquals(SqlbakException.Kind.FAILED, e.kind(), e.getMessage());
    assertEquals("cannot decrypt backup: " + passphrase + ": it is encrypted with a passphrase (age -p), which"
        + " sqlbak cannot ask for; decrypt it with age -d first, or back up with --encrypt-to; the target was not"
        + " touched", e.getMessage());
  }

  @Test
  void aFullScratchFolderIsNamedByVerifyAndInfo() throws Exception {
    Path big = TestDatabases.createLarge(dir.resolve("src").resolve("big.db"), false, 4);
    Path encrypted = new BackupEngine().backup(BackupRequest.of(big, out.resolve("big.db").toString())
        .withRecipients(new Recipients(List.of(alice.recipient()), List.of())), ProgressListener.NONE)
        .copies().get(0).file();
    try (dev.sqlbak.TestTmpfs tiny = dev.sqlbak.TestTmpfs.mount(Files.createDirectory(dir.resolve("tiny")), 1024)) {
      System.setProperty("java.io.tmpdir", tiny.dir().toString());
      try {
        Path scratch = tiny.dir().resolve("sqlbak-" + System.getProperty("user.name"));
        SqlbakException info = assertThrows(SqlbakException.class, () -> new InfoEngine().info(
            Location.of(encrypted), S3Options.DEFAULTS, List.of(alice.identityFile())));
        assertEquals("scratch folder is full: " + scratch + "; " + encrypted + " is decrypted or decompressed there"
            + " first; set TMPDIR to a folder with room", info.getMessage());
        Verdict v = new VerifyEngine().verify(VerifyRequest.of(List.of(encrypted))
            .withIdentities(List.of(alice.identityFile()))).get(0);
        assertEquals(Verdict.Status.UNREADABLE, v.status());
        assertTrue(v.problems().get(0).contains("scratch folder " + scratch), v.toString());
        assertEquals(List.of(), TestDatabases.scratchFiles(tiny.dir()));
      } finally {
        System.setProperty("java.io.tmpdir", tmp.toString());
      }
    }
  }
}
