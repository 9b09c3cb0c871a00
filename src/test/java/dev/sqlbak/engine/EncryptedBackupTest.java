package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.OwnTmpdir;
import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.age.Recipients;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.Decryption;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups encrypted with age, on real files: every destination kind publishes only an age file
 * that opens with the identity, the sidecar hashes the ciphertext, and plain text never rests
 * beside the destination, before, during or after the run.
 */
class EncryptedBackupTest {
  @TempDir Path dir;
  @RegisterExtension final OwnTmpdir ownTmpdir = new OwnTmpdir();
  private Path source;
  private Path out;
  private Path tmp;
  private TestAgeKeys alice;
  private TestAgeKeys bob;

  @BeforeEach
  void setUp() throws Exception {
    Path sources = Files.createDirectory(dir.resolve("src"));
    source = createSample(sources.resolve("app.db"), true, 500);
    out = Files.createDirectory(dir.resolve("out"));
    Path keys = Files.createDirectory(dir.resolve("keys"));
    alice = TestAgeKeys.in(keys, "alice.key");
    bob = TestAgeKeys.in(keys, "bob.key");
    tmp = ownTmpdir.dir();
  }

  private BackupRequest request(String destination, String... recipients) {
    return BackupRequest.of(source, destination).withRecipients(new Recipients(List.of(recipients), List.of()));
  }

  @Test
  void aFolderBackupIsAnAgeFileForEveryRecipientWhoseSidecarHashesTheCiphertext() throws Exception {
    Path recipientsFile = dir.resolve("recipients.txt");
    Files.writeString(recipientsFile, "# the team\n\n" + bob.recipient() + "\r\n");
    BackupResult result = new BackupEngine().backup(BackupRequest.of(source, out.toString())
        .withCompression(Compression.ZSTD)
        .withRecipients(new Recipients(List.of(alice.recipient()), List.of(recipientsFile))), ProgressListener.NONE);

    Path published = result.copies().get(0).file();
    assertTrue(published.getFileName().toString().matches("app-\\d{8}T\\d{6}Z\\.db\\.zst\\.age"), published.toString());
    byte[] head = Arrays.copyOf(Files.readAllBytes(published), Decryption.HEADER.length);
    assertArrayEquals(Decryption.HEADER, head, "an age file from its first byte");
    assertEquals(TestDatabases.sha256(published), result.copies().get(0).sha256());
    String sidecar = Files.readString(Path.of(published + ".sha256"));
    assertTrue(sidecar.endsWith(TestDatabases.sha256(published) + "  " + published.getFileName() + "\n"), sidecar);
    assertTrue(sidecar.contains("# encryption: age\n# recipients: 2\n"), sidecar);
    assertFalse(sidecar.contains("age1"), "the keys are never recorded: " + sidecar);
    for (TestAgeKeys who : List.of(alice, bob)) {
      Path opened = who.decryptTo(published, dir.resolve("opened-" + who.identityFile().getFileName() + ".db"));
      assertEquals(contentDigest(source), contentDigest(opened));
      assertEquals("ok", TestDatabases.integrityCheck(opened));
    }
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp));
    assertEquals(List.of(published.getFileName().toString(), published.getFileName() + ".sha256"), listing(out));
  }

  @Test
  void whileTheCopyIsMadeThePlainCopyIsInTheScratchFolderAndNeverBesideTheDestination() throws Exception {
    List<String> seen = new ArrayList<>();
    new BackupEngine().backup(request(out.toString(), alice.recipient()).withPages(16), (schema, copied, total) -> {
      try {
        if (seen.isEmpty()) {
          seen.add("destination: " + TestAgeKeys.plainTextUnder(out));
          seen.add("scratch: " + TestAgeKeys.plainTextUnder(tmp).size());
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertEquals(List.of("destination: []", "scratch: 1"), seen,
        "mid-copy: the plain copy exists, in the private scratch folder only");
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp), "after the run");
  }

  @Test
  void aFileDestinationGainsAgeAfterAnyCompressionSuffix() throws Exception {
    BackupResult plain = new BackupEngine().backup(request(out.resolve("a.db").toString(), alice.recipient()),
        ProgressListener.NONE);
    assertEquals(out.resolve("a.db.age"), plain.copies().get(0).file());
    BackupResult named = new BackupEngine().backup(request(out.resolve("b.db.age").toString(), alice.recipient())
        .withCompression(Compression.GZIP), ProgressListener.NONE);
    assertEquals(out.resolve("b.db.gz.age"), named.copies().get(0).file());
    BackupResult byName = new BackupEngine().backup(request(out.resolve("c.db.zst.age").toString(), alice.recipient()),
        ProgressListener.NONE);
    assertEquals(out.resolve("c.db.zst.age"), byName.copies().get(0).file());
    BackupResult upper = new BackupEngine().backup(request(out.resolve("d.AGE").toString(), alice.recipient()),
        ProgressListener.NONE);
    assertEquals(out.resolve("d.AGE"), upper.copies().get(0).file(), "the name as given");
    assertEquals(contentDigest(source), contentDigest(alice.decryptTo(out.resolve("c.db.zst.age"), dir.resolve("c.db"))));
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp));
  }

  @Test
  void aStreamCarriesOnlyTheAgeFile() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BackupResult result = new BackupEngine().stream(request("-", alice.recipient()), sink, ProgressListener.NONE);
    Path got = Files.write(dir.resolve("streamed.age"), sink.toByteArray());
    assertArrayEquals(Decryption.HEADER, Arrays.copyOf(sink.toByteArray(), Decryption.HEADER.length));
    assertEquals(TestDatabases.sha256(got), result.copies().get(0).sha256());
    assertEquals(contentDigest(source), contentDigest(alice.decryptTo(got, dir.resolve("streamed.db"))));
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(tmp));
  }

  /** Runs a backup that must fail before anything is written; returns its failure. */
  private SqlbakException refused(BackupRequest request, SqlbakException.Kind kind) throws Exception {
    SqlbakException e = assertThrows(SqlbakException.class, () -> new BackupEngine().backup(request,
        ProgressListener.NONE));
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(List.of(), listing(out), "nothing written: " + e.getMessage());
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(tmp), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    return e;
  }

  @Test
  void everyBadRecipientStopsTheRunBeforeAnythingIsWritten() throws Exception {
    String bad = alice.recipient().substring(0, alice.recipient().length() - 1) + "q";
    assertTrue(refused(request(out.toString(), bad), SqlbakException.Kind.USAGE).getMessage()
        .startsWith("malformed age recipient: '" + bad + "'"));
    SqlbakException secret = refused(request(out.toString(), alice.secret()), SqlbakException.Kind.USAGE);
    assertFalse(secret.getMessage().contains(alice.secret().substring(20)), "a secret is never echoed");
    assertTrue(secret.getMessage().contains("public key"), secret.getMessage());
    refused(request(out.toString(), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx"), SqlbakException.Kind.USAGE);
    refused(request(out.toString(), alice.recipient(), " " + bob.recipient()), SqlbakException.Kind.USAGE);

    // A key that parses but that X25519 refuses (a low-order point): refused before the copy too.
    String lowOrder = com.exceptionfactory.jagged.bech32.Bech32.getEncoder().encode("age", new byte[32]).toString();
    assertTrue(refused(request(out.toString(), lowOrder), SqlbakException.Kind.USAGE).getMessage()
        .startsWith("unusable age recipient: '" + lowOrder + "'"));
    Path bom = Files.writeString(dir.resolve("bom.txt"), "\uFEFF" + alice.recipient() + "\n");
    assertTrue(refused(BackupRequest.of(source, out.toString()).withRecipients(new Recipients(List.of(), List.of(bom))),
        SqlbakException.Kind.FAILED).getMessage().contains("byte-order mark"));

    Path missing = dir.resolve("missing.txt");
    SqlbakException gone = refused(BackupRequest.of(source, out.toString())
        .withRecipients(new Recipients(List.of(), List.of(missing))), SqlbakException.Kind.FAILED);
    assertTrue(gone.getMessage().startsWith("cannot read recipients file: " + missing), gone.getMessage());
    refused(BackupRequest.of(source, out.toString())
        .withRecipients(new Recipients(List.of(), List.of(Path.of("/dev/zero")))), SqlbakException.Kind.FAILED);
    Path onlyComments = Files.writeString(dir.resolve("comments.txt"), "# nobody yet\n\n");
    refused(BackupRequest.of(source, out.toString())
        .withRecipients(new Recipients(List.of(), List.of(onlyComments))), SqlbakException.Kind.FAILED);
    Path badLine = Files.writeString(dir.resolve("bad.txt"), alice.recipient() + "\n  " + bob.recipient() + "\n");
    SqlbakException line = refused(BackupRequest.of(source, out.toString())
        .withRecipients(new Recipients(List.of(), List.of(badLine))), SqlbakException.Kind.FAILED);
    assertTrue(line.getMessage().contains(badLine + " line 2"), line.getMessage());
    assertFalse(line.getMessage().contains(bob.recipient()), "a line is not echoed: " + line.getMessage());
    refused(BackupRequest.of(source, out.toString())
        .withRecipients(new Recipients(List.of(), List.of(alice.identityFile()))), SqlbakException.Kind.FAILED);

    SqlbakException memory = assertThrows(SqlbakException.class, () -> new BackupEngine().backup(
        request(BackupRequest.MEMORY, alice.recipient()), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.USAGE, memory.kind());
    refused(BackupRequest.of(source, out.resolve("x.db.age").toString()), SqlbakException.Kind.USAGE);
    assertFalse(Files.exists(out.resolve("x.db")));
  }

  @Test
  void aFailedCheckLeavesNoPlainTextAnywhere() throws Exception {
    Path damaged = TestDatabases.createWithIndexDamage(dir.resolve("src").resolve("damaged.db"));
    SqlbakException e = assertThrows(SqlbakException.class, () -> new BackupEngine().backup(
        BackupRequest.of(damaged, out.toString()).withCheck(dev.sqlbak.check.CheckLevel.FULL)
            .withRecipients(new Recipients(List.of(alice.recipient()), List.of())), ProgressListener.NONE));
    assertEquals(SqlbakException.Kind.FAILED, e.kind(), e.getMessage());
    assertEquals(List.of(), listing(out));
    assertEquals(List.of(), TestAgeKeys.plainTextUnder(out, tmp));
    assertEquals(List.of(), TestDatabases.scratchFiles(tmp), "scratch files removed");
  }

  @Test
  void theNextRunOfAnyKindRemovesTheScratchCopyOfAKilledRun() throws Exception {
    // What a kill -9 leaves: a run's plain copy in the scratch folder, its lock gone with it.
    Path scratch = Files.createDirectories(tmp.resolve("sqlbak-" + System.getProperty("user.name")));
    Path left = Files.copy(source, scratch.resolve(".sqlbak-0123456789abcdef.db"));
    new BackupEngine().backup(BackupRequest.of(source, out.toString()), ProgressListener.NONE);
    assertFalse(Files.exists(left), "a plain backup to a folder, which stages nothing there, still sweeps it");

    Path again = Files.copy(source, scratch.resolve(".sqlbak-fedcba9876543210.db"));
    new PruneEngine().prune(new PruneRequest(out, 5, null, null, null, null, true));
    assertTrue(Files.exists(again), "a dry run removes nothing");
    new PruneEngine().prune(new PruneRequest(out, 5, null, null, null, null, false));
    assertFalse(Files.exists(again), "prune does");
  }

  @Test
  void aFullScratchFolderIsSaidAsSuchAndNothingIsPublished() throws Exception {
    Path big = TestDatabases.createLarge(dir.resolve("src").resolve("big.db"), false, 4);
    try (dev.sqlbak.TestTmpfs tiny = dev.sqlbak.TestTmpfs.mount(Files.createDirectory(dir.resolve("tiny")), 1024)) {
      System.setProperty("java.io.tmpdir", tiny.dir().toString());
      SqlbakException e = assertThrows(SqlbakException.class, () -> new BackupEngine().backup(
          BackupRequest.of(big, out.toString()).withRecipients(new Recipients(List.of(alice.recipient()), List.of())),
          ProgressListener.NONE));
      System.setProperty("java.io.tmpdir", tmp.toString());
      assertTrue(e.getMessage().startsWith("scratch folder is full: " + tiny.dir().resolve("sqlbak-"
          + System.getProperty("user.name")) + "; a backup to S3, to a stream or encrypted is checked there first"),
          e.getMessage());
      assertEquals(List.of(), listing(out));
      assertEquals(List.of(), TestDatabases.scratchFiles(tiny.dir()));
    }
  }

  @Test
  void theSidecarOfAPlainBackupSaysNothingOfEncryption() throws Exception {
    BackupResult r = new BackupEngine().backup(BackupRequest.of(source, out.toString()), ProgressListener.NONE);
    String sidecar = Files.readString(Path.of(r.copies().get(0).file() + ".sha256"),
        StandardCharsets.UTF_8);
    assertFalse(sidecar.contains("encryption"), sidecar);
  }
}
