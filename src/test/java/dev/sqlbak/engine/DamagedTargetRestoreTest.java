package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.integrityCheck;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restore over a damaged TARGET, on real files: the damaged bytes become the safety copy as they
 * are, the backup replaces the file, no stale side file is left beside it; a directory stays refused.
 */
class DamagedTargetRestoreTest {
  @TempDir Path dir;
  private final BackupEngine backups = new BackupEngine();
  private final RestoreEngine engine = new RestoreEngine();

  /** The ways a database file gets damaged on the bad day. */
  enum Damage {
    GARBAGE_OVER_HEADER,
    TRUNCATED_TO_HALF,
    MIDDLE_PAGE,
    ZERO_BYTES,
    WAL_MIDDLE_PAGE
  }

  static Stream<Arguments> damageAndSafetyCopy() {
    List<Arguments> all = new ArrayList<>();
    for (Damage d : Damage.values()) {
      all.add(Arguments.of(d, true));
      all.add(Arguments.of(d, false));
    }
    return all.stream();
  }

  private Path backupOf(Path source) {
    Path dest = dir.resolve(source.getFileName() + ".bak");
    backups.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE);
    return dest;
  }

  private Path damaged(Damage damage) throws Exception {
    Path target = createSample(dir.resolve("live.db"), damage == Damage.WAL_MIDDLE_PAGE, 3000);
    switch (damage) {
      case GARBAGE_OVER_HEADER:
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
          ch.write(java.nio.ByteBuffer.wrap("this is no header, it is garbage written over one".getBytes()), 0);
        }
        break;
      case TRUNCATED_TO_HALF:
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
          ch.truncate(ch.size() / 2);
        }
        break;
      case MIDDLE_PAGE:
      case WAL_MIDDLE_PAGE:
        scribbleInside(target, TestDatabases.middlePage(target));
        assertNotEquals("ok", String.join("", TestDatabases.column(target, "PRAGMA quick_check")),
            "the test needs damage that quick_check sees");
        break;
      case ZERO_BYTES:
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
          ch.truncate(0);
        }
        break;
      default:
        throw new AssertionError(damage);
    }
    return target;
  }

  /** Overwrites bytes in the middle of a b-tree page (its cell area), leaving its first bytes alone. */
  private static void scribbleInside(Path file, long pageIndex) throws Exception {
    long pageSize = TestDatabases.scalar(file, "PRAGMA page_size");
    byte[] bytes = Files.readAllBytes(file);
    int from = (int) (pageSize * pageIndex + pageSize / 4);
    for (int i = 0; i < pageSize / 2; i++) {
      bytes[from + i] = (byte) (i * 31 + 7);
    }
    Files.write(file, bytes);
  }

  private List<Path> safetyCopies() throws Exception {
    return listing(dir).stream().filter(n -> n.startsWith("live.db.pre-restore-")).map(dir::resolve).toList();
  }

  /**
   * The application recreates its database in place while the restore writes its new file: the
   * rename must not replace what was not judged damaged nor saved.
   */
  @Test
  void aDamagedTargetRewrittenMeanwhileIsNotReplaced() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 3000));
    Path target = damaged(Damage.GARBAGE_OVER_HEADER);
    byte[] garbage = Files.readAllBytes(target);
    Path appDb = createSample(dir.resolve("recreated.db"), false, 10);
    byte[] recreated = Files.readAllBytes(appDb);
    ProgressListener application = (schema, copied, total) -> {
      try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
        if (ch.size() != recreated.length) {
          ch.truncate(0);
          ch.write(java.nio.ByteBuffer.wrap(recreated), 0);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };

    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.restore(RestoreRequest.of(backup, target).withForce(true), application));

    assertTrue(e.getMessage().startsWith("target changed while the restore ran: " + target + "; it was not replaced"),
        e.getMessage());
    assertArrayEquals(recreated, Files.readAllBytes(target), "the application's database must stay");
    assertEquals(1, safetyCopies().size());
    assertArrayEquals(garbage, Files.readAllBytes(safetyCopies().get(0)), "the safety copy holds what was judged");
  }

  @ParameterizedTest(name = "{0}, safety copy={1}")
  @MethodSource("damageAndSafetyCopy")
  void aDamagedTargetIsReplacedByTheBackupAndItsBytesKeptAsTheyWere(Damage damage, boolean safety)
      throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 300);
    Path backup = backupOf(source);
    Path target = damaged(damage);
    byte[] original = Files.readAllBytes(target);

    RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(safety),
        ProgressListener.NONE);

    // Before anything of the test opens it: a read-only reader of a WAL file leaves -wal and -shm.
    for (String side : List.of("-journal", "-wal", "-shm")) {
      assertFalse(Files.exists(dir.resolve("live.db" + side)), side + " beside the restored target");
    }
    String mode = damage == Damage.WAL_MIDDLE_PAGE ? "wal" : "rollback";
    assertEquals(mode, TestDatabases.headerJournalMode(target), "the target keeps the journal mode its header named");
    assertEquals(contentDigest(source), contentDigest(target));
    assertEquals("ok", integrityCheck(target));
    List<Path> copies = safetyCopies();
    if (safety && damage != Damage.ZERO_BYTES) {
      assertEquals(1, copies.size(), listing(dir).toString());
      assertEquals(copies.get(0), r.safetyCopy());
      assertArrayEquals(original, Files.readAllBytes(r.safetyCopy()), "the damaged bytes, as they were");
    } else {
      assertEquals(List.of(), copies, "nothing saved: " + listing(dir));
      assertNull(r.safetyCopy());
    }
    assertTrue(listing(dir).stream().noneMatch(n -> n.startsWith(".sqlbak-")), listing(dir).toString());
    assertFalse(r.created());
    assertEquals(RestoreResult.Written.REPLACED_DAMAGED, r.written());
    assertEquals(expectedKind(damage), r.damage().kind());
  }

  private static TargetDamage.Kind expectedKind(Damage damage) {
    switch (damage) {
      case GARBAGE_OVER_HEADER:
        return TargetDamage.Kind.NOT_A_DATABASE;
      case TRUNCATED_TO_HALF:
        return TargetDamage.Kind.TRUNCATED;
      case ZERO_BYTES:
        return TargetDamage.Kind.EMPTY;
      default:
        return TargetDamage.Kind.CORRUPT;
    }
  }

  /**
   * A hot journal beside a damaged file must not stay beside the new one: the next opener would
   * roll the old pages back into it (a rollback journal does not say which file it belongs to).
   * With a safety copy it moves beside the copy, where opening the copy read-write rolls it back as
   * the application would have; without one it is removed.
   */
  @ParameterizedTest(name = "safety copy={0}")
  @ValueSource(booleans = {true, false})
  void aHotJournalBesideADamagedTargetGoesWithItsBytesNeverBesideTheNewFile(boolean safety) throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 300);
    Path backup = backupOf(source);
    Path live = createSample(dir.resolve("other.db"), false, 2000);
    Path target = TestDatabases.copyInMidTransaction(live, dir.resolve("live.db"));
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[16]), 0);
    }
    byte[] original = Files.readAllBytes(target);
    byte[] journal = Files.readAllBytes(dir.resolve("live.db-journal"));

    RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(safety),
        ProgressListener.NONE);

    assertFalse(Files.exists(dir.resolve("live.db-journal")));
    assertEquals(contentDigest(source), contentDigest(target));
    assertEquals("ok", integrityCheck(target));
    assertEquals(RestoreResult.Written.REPLACED_DAMAGED, r.written());
    if (safety) {
      assertArrayEquals(original, Files.readAllBytes(r.safetyCopy()));
      assertArrayEquals(journal, Files.readAllBytes(Path.of(r.safetyCopy() + "-journal")));
      // Together they are what the application would have recovered: opened read-write, the copy
      // rolls its journal back, over the scribbled header too, into the last committed content.
      try (java.sql.Connection c = TestDatabases.open(r.safetyCopy());
          java.sql.Statement s = c.createStatement()) {
        s.executeQuery("SELECT count(*) FROM users").close();
      }
      assertEquals(contentDigest(live), contentDigest(r.safetyCopy()));
      assertEquals("ok", integrityCheck(r.safetyCopy()));
    } else {
      assertEquals(List.of(), safetyCopies());
    }
  }

  /**
   * A -wal with frames beside a damaged file moves beside the safety copy: SQLite opens any
   * database with a -wal beside it in WAL mode and reads those frames, also the new file.
   */
  @ParameterizedTest(name = "safety copy={0}")
  @ValueSource(booleans = {true, false})
  void aWalWithFramesBesideADamagedTargetGoesWithItsBytes(boolean safety) throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 300);
    Path backup = backupOf(source);
    Path live = createSample(dir.resolve("other.db"), true, 200);
    Path target = dir.resolve("live.db");
    try (java.sql.Connection c = TestDatabases.open(live); java.sql.Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_autocheckpoint = 0");
      s.execute("INSERT INTO users(name) SELECT name || '+' FROM users");
      // What a crash leaves: the file and a -wal whose frames were never checkpointed.
      Files.copy(live, target);
      Files.copy(dir.resolve("other.db-wal"), dir.resolve("live.db-wal"));
      Files.copy(dir.resolve("other.db-shm"), dir.resolve("live.db-shm"));
    }
    // Damage in a page the -wal holds a newer copy of would be no damage: SQLite reads the frame.
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[16]), 0);
    }
    byte[] original = Files.readAllBytes(target);
    byte[] wal = Files.readAllBytes(dir.resolve("live.db-wal"));
    assertTrue(wal.length > 0);

    RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(safety),
        ProgressListener.NONE);

    for (String side : List.of("-journal", "-wal", "-shm")) {
      assertFalse(Files.exists(dir.resolve("live.db" + side)), side + " beside the restored target");
    }
    assertEquals(RestoreResult.Written.REPLACED_DAMAGED, r.written());
    assertEquals(contentDigest(source), contentDigest(target));
    if (safety) {
      assertArrayEquals(original, Files.readAllBytes(r.safetyCopy()));
      assertArrayEquals(wal, Files.readAllBytes(Path.of(r.safetyCopy() + "-wal")));
      assertFalse(Files.exists(Path.of(r.safetyCopy() + "-shm")), "an index SQLite rebuilds");
    } else {
      assertEquals(List.of(), safetyCopies());
    }
  }

  @Test
  void theSafetyCopyAndTheNewFileGetNoPermissionBitTheTargetLacks() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 30));
    Path target = damaged(Damage.GARBAGE_OVER_HEADER);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(backup, PosixFilePermissions.fromString("rw-r--r--"));

    RestoreResult r = engine.restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.safetyCopy())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
  }

  /** SQLite follows a symlinked TARGET to its file; so does the replacement, and the link stays. */
  @Test
  void aSymlinkedDamagedTargetHasItsFileReplacedAndStaysALink() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 300);
    Path backup = backupOf(source);
    Path real = damaged(Damage.TRUNCATED_TO_HALF);
    byte[] original = Files.readAllBytes(real);
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), real.getFileName());

    RestoreResult r = engine.restore(RestoreRequest.of(backup, link).withForce(true), ProgressListener.NONE);

    assertTrue(Files.isSymbolicLink(link));
    assertEquals(contentDigest(source), contentDigest(real));
    assertEquals(dir.resolve("link.db").getFileName() + ".pre-restore-", r.safetyCopy().getFileName().toString()
        .substring(0, "link.db.pre-restore-".length()));
    assertArrayEquals(original, Files.readAllBytes(r.safetyCopy()));
  }

  @Test
  void aWriteProtectedDamagedTargetIsRefusedAndUntouched() throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 30));
    Path target = damaged(Damage.GARBAGE_OVER_HEADER);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r-----"));
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(target), "root writes any file");
    Map<String, String> before = TestDatabases.snapshot(dir);

    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE));

    assertEquals("cannot write target: " + target + "; permission denied; it was not changed", e.getMessage());
    assertEquals(before, TestDatabases.snapshot(dir));
  }

  /** The new file takes the damaged one's place: the application's user must still own it. */
  @Test
  void asRootTheNewFileKeepsTheDamagedFilesOwnerAndGroup() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 30));
    Path target = damaged(Damage.GARBAGE_OVER_HEADER);
    var lookup = target.getFileSystem().getUserPrincipalLookupService();
    var nobody = lookup.lookupPrincipalByName("nobody");
    var view = Files.getFileAttributeView(target, java.nio.file.attribute.PosixFileAttributeView.class);
    view.setOwner(nobody);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw----"));
    var group = view.readAttributes().group();

    engine.restore(RestoreRequest.of(backup, target).withForce(true), ProgressListener.NONE);

    var now = Files.readAttributes(target, java.nio.file.attribute.PosixFileAttributes.class);
    assertEquals(nobody, now.owner());
    assertEquals(group, now.group());
    assertEquals("rw-rw----", PosixFilePermissions.toString(now.permissions()), "whatever the umask");
  }

  @ParameterizedTest(name = "safety copy={0}")
  @ValueSource(booleans = {true, false})
  void aDirectoryTargetIsRefusedAndUntouched(boolean safety) throws Exception {
    Path backup = backupOf(createSample(dir.resolve("app.db"), false, 30));
    Path target = Files.createDirectory(dir.resolve("live.db"));
    Files.writeString(target.resolve("inside"), "keep me");
    Map<String, String> before = TestDatabases.snapshot(dir);

    SqlbakException e = assertThrows(SqlbakException.class, () -> engine.restore(
        RestoreRequest.of(backup, target).withForce(true).withSafetyCopy(safety), ProgressListener.NONE));

    assertEquals(SqlbakException.Kind.FAILED, e.kind());
    assertTrue(e.getMessage().startsWith("target is not a regular file: " + target), e.getMessage());
    assertEquals(before, TestDatabases.snapshot(dir));
  }

  @Test
  void aHealthyTargetIsStillRestoredOnline() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 300);
    Path target = createSample(dir.resolve("live.db"), true, 20);
    RestoreResult r = engine.restore(RestoreRequest.of(backupOf(source), target).withForce(true),
        ProgressListener.NONE);
    assertEquals(RestoreResult.Written.ONLINE, r.written());
    assertNull(r.damage());
    assertEquals("wal", TestDatabases.headerJournalMode(target));
    assertEquals(contentDigest(source), contentDigest(target));
  }
}
