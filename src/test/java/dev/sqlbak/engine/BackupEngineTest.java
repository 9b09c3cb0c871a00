package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.integrityCheck;
import static dev.sqlbak.TestDatabases.listing;
import static dev.sqlbak.TestDatabases.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.sqlite.TableRows;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.DataMode;
import dev.sqlbak.tuning.DirectIoCopy;
import dev.sqlbak.tuning.Tuning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The backup engine on real database files: content, atomic publishing, naming, progress. */
class BackupEngineTest {
  private static final Pattern TIMESTAMPED = Pattern.compile("app-\\d{8}T\\d{6}Z\\.db");

  @TempDir Path dir;
  private final BackupEngine engine = new BackupEngine();

  @ParameterizedTest(name = "wal={0}")
  @ValueSource(booleans = {false, true})
  void copiesEveryRowSchemaAndBlobIntoOneSelfContainedFile(boolean wal) throws Exception {
    Path source = createSample(dir.resolve("app.db"), wal, 500);
    Path dest = dir.resolve("copy.db");

    BackupResult result = engine.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE);

    assertEquals(contentDigest(source), contentDigest(dest));
    assertEquals("ok", integrityCheck(dest));
    assertEquals(500, scalar(dest, "SELECT count(*) FROM audit"));
    assertEquals("delete", TestDatabases.column(dest, "PRAGMA journal_mode").get(0));
    assertFalse(Files.exists(dir.resolve("copy.db-wal")));
    assertFalse(Files.exists(dir.resolve("copy.db-shm")));
    assertFalse(Files.exists(dir.resolve("copy.db-journal")));
    BackupCopy copy = result.copies().get(0);
    assertEquals(dest, copy.file());
    assertEquals(Files.size(dest), copy.bytes());
    assertEquals(TestDatabases.sha256(dest), copy.sha256());
    assertEquals(copy.sha256() + "  copy.db\n",
        TestDatabases.hashLine(dir.resolve("copy.db.sha256")));
    assertTrue(listing(dir).stream().noneMatch(n -> n.startsWith(".sqlbak-")), listing(dir).toString());
  }

  @Test
  void neverModifiesTheSource() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 200);
    String before = TestDatabases.sha256(source);
    engine.backup(BackupRequest.of(source, dir.resolve("b.db").toString()), ProgressListener.NONE);
    assertEquals(before, TestDatabases.sha256(source));
  }

  @Test
  void directoryDestinationGetsATimestampedNameAndSidecar() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 10);
    Path out = Files.createDirectory(dir.resolve("out"));

    BackupResult result = engine.backup(BackupRequest.of(source, out.toString()), ProgressListener.NONE);

    Path published = result.copies().get(0).file();
    assertTrue(TIMESTAMPED.matcher(published.getFileName().toString()).matches(), published.toString());
    assertEquals(out, published.getParent());
    assertEquals(List.of(published.getFileName().toString(), published.getFileName() + ".sha256"), listing(out));
  }

  @Test
  void newNamesFollowTheRealClockNotABackupFromTheFuture() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 10);
    Path out = Files.createDirectory(dir.resolve("out"));
    // A backup from the future (a clock that once ran ahead) must not drag new names after it.
    Files.writeString(out.resolve("app-29990101T000000Z.db"), "placeholder");
    Files.writeString(out.resolve("other-29990101T000005Z.db"), "another stem, ignored");

    Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      names.add(engine.backup(BackupRequest.of(source, out.toString()), ProgressListener.NONE)
          .copies().get(0).file().getFileName().toString());
    }
    assertEquals(names.stream().sorted().distinct().toList(), names, "names sort as the backups were taken");
    for (Instant t : names.stream().map(n -> BackupNames.parse(n).orElseThrow().time()).toList()) {
      assertTrue(!t.isBefore(before) && t.isBefore(Instant.now().plusSeconds(5)), names.toString());
    }
  }

  @Test
  void backupsInTheSameSecondGetDistinctSortedNames() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 10);
    Path out = Files.createDirectory(dir.resolve("out"));
    Instant now = Instant.now();
    // Take the name of this second and the next one, as a very fast earlier run would have.
    Files.writeString(out.resolve(BackupNames.nameFor("app", now)), "x");

    Path a = engine.backup(BackupRequest.of(source, out.toString()), ProgressListener.NONE).copies().get(0).file();
    Path b = engine.backup(BackupRequest.of(source, out.toString()), ProgressListener.NONE).copies().get(0).file();

    assertNotEquals(a, b);
    assertTrue(a.getFileName().toString().compareTo(b.getFileName().toString()) < 0);
    assertTrue(BackupNames.nameFor("app", now).compareTo(a.getFileName().toString()) < 0);
  }

  @Test
  void memoryDestinationCountsRowsAndWritesNothing() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 42);
    List<String> before = listing(dir);
    String sourceBytes = TestDatabases.sha256(source);

    BackupResult result = engine.backup(BackupRequest.of(source, BackupRequest.MEMORY), ProgressListener.NONE);

    BackupCopy copy = result.copies().get(0);
    assertEquals(null, copy.destination());
    assertEquals(
        List.of(new TableRows("audit", 42), new TableRows("sqlite_sequence", 1), new TableRows("users", 42)),
        copy.tables());
    assertEquals(before, listing(dir));
    assertEquals(sourceBytes, TestDatabases.sha256(source));
  }

  @Test
  void attachedSchemasLandAsTheirOwnFilesFromOneSnapshot() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 30);
    Path aux = createSample(dir.resolve("aux.db"), true, 70);
    Path out = Files.createDirectory(dir.resolve("out"));
    BackupRequest request = BackupRequest.of(source, out.toString())
        .withSchemas(List.of("main", "aux"), Map.of("aux", aux));

    BackupResult result = engine.backup(request, ProgressListener.NONE);

    assertEquals(2, result.copies().size());
    Path mainCopy = result.copies().get(0).file();
    Path auxCopy = result.copies().get(1).file();
    assertTrue(mainCopy.getFileName().toString().startsWith("app-"), mainCopy.toString());
    assertTrue(auxCopy.getFileName().toString().startsWith("aux-"), auxCopy.toString());
    assertEquals(contentDigest(source), contentDigest(mainCopy));
    assertEquals(contentDigest(aux), contentDigest(auxCopy));
    assertEquals("delete", TestDatabases.column(auxCopy, "PRAGMA journal_mode").get(0));
  }

  @Test
  void stepProgressIsMonotonicAndEndsAtTheTotal() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 2000);
    long pages = scalar(source, "PRAGMA page_count");
    List<long[]> events = new ArrayList<>();

    engine.backup(BackupRequest.of(source, dir.resolve("b.db").toString()).withPages(5),
        (schema, copied, total) -> events.add(new long[] {copied, total}));

    assertEquals((pages + 4) / 5, events.size());
    for (int i = 1; i < events.size(); i++) {
      assertTrue(events.get(i)[0] > events.get(i - 1)[0]);
    }
    assertEquals(pages, events.get(events.size() - 1)[0]);
    assertEquals(pages, events.get(events.size() - 1)[1]);
  }

  @Test
  void forceReplacesAnExistingFileAndASymlinkIsReplacedNotFollowed() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 20);
    Path victim = dir.resolve("victim.txt");
    Files.writeString(victim, "must survive");
    Path dest = dir.resolve("b.db");
    Files.createSymbolicLink(dest, victim);
    Files.writeString(dir.resolve("b.db.sha256"), "stale checksum\n");

    engine.backup(BackupRequest.of(source, dest.toString()).withForce(true), ProgressListener.NONE);

    assertFalse(Files.isSymbolicLink(dest));
    assertEquals("must survive", Files.readString(victim));
    assertEquals(contentDigest(source), contentDigest(dest));
    assertTrue(TestDatabases.hashLine(dir.resolve("b.db.sha256")).startsWith(TestDatabases.sha256(dest)));
  }

  @Test
  void writesFromAnotherConnectionDuringASteppedCopyNeverLeakIntoIt() throws Exception {
    Path source = createSample(dir.resolve("app.db"), true, 3000);
    Path dest = dir.resolve("b.db");
    long rowsAtStart = scalar(source, "SELECT count(*) FROM users");
    List<Long> copied = new ArrayList<>();
    try (var writer = TestDatabases.open(source); var s = writer.createStatement()) {
      engine.backup(BackupRequest.of(source, dest.toString()).withPages(1), (schema, done, total) -> {
        copied.add(done);
        try {
          // Commit between steps: without one read transaction held, this would restart the copy.
          s.execute("INSERT INTO users(name) VALUES ('late')");
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      });
    }
    assertTrue(copied.size() > 10);
    for (int i = 1; i < copied.size(); i++) {
      assertEquals(copied.get(i - 1) + 1, copied.get(i), "a restart would make progress go back");
    }
    assertEquals(rowsAtStart, scalar(dest, "SELECT count(*) FROM users"));
    assertEquals("ok", integrityCheck(dest));
    assertTrue(scalar(source, "SELECT count(*) FROM users") > rowsAtStart);
  }

  @Test
  void sweepsTemporaryFilesOfDeadRunsButNotOfLiveOnes() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 10);
    Path out = Files.createDirectory(dir.resolve("out"));
    // A dead run: its lock file exists but nobody holds the lock.
    Files.writeString(out.resolve(".sqlbak-00000000000000aa.lock"), "");
    Files.writeString(out.resolve(".sqlbak-00000000000000aa.db"), "half a copy");
    Files.writeString(out.resolve(".sqlbak-00000000000000aa.db-journal"), "journal");
    // An orphan without a lock file (its run was interrupted while cleaning up).
    Files.writeString(out.resolve(".sqlbak-00000000000000bb.db-journal"), "journal");
    Files.writeString(out.resolve("notes.txt"), "not ours");
    try (AtomicDestination live = AtomicDestination.create(out, DataMode.of(source))) {
      Files.writeString(live.file(), "in progress");

      engine.backup(BackupRequest.of(source, out.resolve("b.db").toString()), ProgressListener.NONE);

      assertEquals("in progress", Files.readString(live.file()));
      List<String> left = listing(out);
      assertEquals(List.of(live.file().getFileName().toString(),
          live.file().getFileName().toString().replace(".db", ".lock"), "b.db", "b.db.sha256", "notes.txt"),
          left.stream().sorted().toList());
    }
    assertEquals(List.of("b.db", "b.db.sha256", "notes.txt"), listing(out));
  }

  @Test
  void aCorruptPageInTheSourceFailsTheCheckAndPublishesNothing() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 3000);
    // Scribble over an interior page, leaving the header (page 1) intact.
    TestDatabases.scribblePage(source, TestDatabases.middlePage(source));
    Path dest = dir.resolve("b.db");

    SqlbakException e = assertThrows(SqlbakException.class,
        () -> engine.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE));

    assertEquals(SqlbakException.Kind.FAILED, e.kind());
    assertTrue(e.getMessage().contains("the source may be corrupt"), e.getMessage());
    assertFalse(Files.exists(dest));
    assertTrue(listing(dir).stream().noneMatch(n -> n.startsWith(".sqlbak-") || n.startsWith("b.db")),
        listing(dir).toString());
  }

  @Test
  void checkNoneStillPublishesOnlyACompleteCopy() throws Exception {
    Path source = createSample(dir.resolve("app.db"), true, 100);
    Path dest = dir.resolve("b.db");
    BackupResult r = engine.backup(BackupRequest.of(source, dest.toString()).withCheck(CheckLevel.NONE),
        ProgressListener.NONE);
    assertEquals(CheckLevel.NONE, r.copies().get(0).check());
    assertEquals(contentDigest(source), contentDigest(dest));
  }

  @Test
  void aRollbackJournalSourceIsCopiedByteForByteWithProgressPerStep() throws Exception {
    Path source = TestDatabases.createLarge(dir.resolve("big.db"), false, 4);
    Path dest = dir.resolve("copy.db");
    List<long[]> steps = new ArrayList<>();
    BackupResult r = engine.backup(BackupRequest.of(source, dest.toString()).withPages(100),
        (schema, copied, total) -> steps.add(new long[] {copied, total}));

    // Under the held read transaction the file is the snapshot: the copy is the same bytes.
    assertEquals(TestDatabases.sha256(source), TestDatabases.sha256(dest));
    assertEquals(TestDatabases.sha256(dest), r.copies().get(0).sha256());
    long pages = r.copies().get(0).pageCount();
    assertEquals((pages + 99) / 100, steps.size(), "one progress report per 100 pages");
    for (int i = 0; i < steps.size(); i++) {
      assertEquals(Math.min(pages, 100L * (i + 1)), steps.get(i)[0]);
      assertEquals(pages, steps.get(i)[1]);
    }
  }

  @Test
  void aWalSourceWithoutWalFramesIsCopiedByteForByteWithARollbackJournalHeader() throws Exception {
    Path source = TestDatabases.createLarge(dir.resolve("big.db"), true, 2);
    Path dest = dir.resolve("copy.db");
    BackupResult r = engine.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE);
    assertEquals("rollback", TestDatabases.headerJournalMode(dest));
    assertEquals("ok", integrityCheck(dest));
    assertEquals(contentDigest(source), contentDigest(dest));
    assertEquals(TestDatabases.sha256(dest), r.copies().get(0).sha256());
    byte[] a = Files.readAllBytes(source);
    byte[] b = Files.readAllBytes(dest);
    assertEquals(a.length, b.length);
    a[18] = 1;
    a[19] = 1;
    assertTrue(java.util.Arrays.equals(a, b), "the same bytes but the header's journal-mode versions");
  }

  @Test
  void aWalSourceWhoseSnapshotIsPartlyInTheWalGoesThroughTheBackupApi() throws Exception {
    Path source = TestDatabases.createLarge(dir.resolve("big.db"), true, 2);
    try (java.sql.Connection writer = TestDatabases.open(source);
        java.sql.Statement w = writer.createStatement()) {
      // Committed, but left in the -wal file: the database file alone is not the snapshot.
      w.execute("PRAGMA wal_autocheckpoint=0");
      w.execute("CREATE TABLE late(x)");
      w.execute("INSERT INTO late VALUES (42)");
      assertTrue(Files.size(dir.resolve("big.db-wal")) > 0);
      Path dest = dir.resolve("copy.db");
      BackupResult r = engine.backup(BackupRequest.of(source, dest.toString()), ProgressListener.NONE);
      assertEquals("rollback", TestDatabases.headerJournalMode(dest));
      assertEquals(42, scalar(dest, "SELECT x FROM late"));
      assertEquals(contentDigest(source), contentDigest(dest));
      assertEquals(TestDatabases.sha256(dest), r.copies().get(0).sha256());
    }
  }

  /**
   * The O_DIRECT path (a WAL source whose snapshot is partly in the -wal goes through SQLite's
   * backup API) must publish the very bytes the page-cache path publishes, with their hash.
   */
  @Test
  void aLiveWalSourceGivesTheSameBytesWrittenWithODirectAsThroughThePageCache() throws Exception {
    Path source = dir.resolve("big.db");
    try (java.sql.Connection writer = walSourceWithLateRow(source)) {
      assertSameBytesWithODirectAsThroughThePageCache(source, CheckLevel.QUICK);
    }
  }

  /**
   * A WAL-mode source with nothing in its -wal is copied byte for byte; checked, that copy is
   * published through an O_DIRECT copy (and hashed there), unchecked it is hashed while written:
   * the bytes and their hash must be those of the page-cache path either way.
   */
  @ParameterizedTest
  @EnumSource(value = CheckLevel.class, names = {"QUICK", "NONE"})
  void aQuietWalSourceGivesTheSameBytesWithODirectAsThroughThePageCache(CheckLevel check) throws Exception {
    Path source = dir.resolve("big.db");
    walSourceWithLateRow(source).close();
    assertFalse(Files.exists(dir.resolve("big.db-wal")), "closed, the source must have no -wal left");
    assertSameBytesWithODirectAsThroughThePageCache(source, check);
  }

  /**
   * Creates {@code source}, a 3 MiB WAL-mode database whose last commit adds table late (42), and
   * returns the connection that made it: while it stays open that commit stays in the -wal.
   */
  private java.sql.Connection walSourceWithLateRow(Path source) throws Exception {
    TestDatabases.createLarge(source, true, 3);
    assumeODirectHere(source);
    java.sql.Connection writer = TestDatabases.open(source);
    try (java.sql.Statement w = writer.createStatement()) {
      w.execute("PRAGMA wal_autocheckpoint=0");
      w.execute("CREATE TABLE late(x)");
      w.execute("INSERT INTO late VALUES (42)");
    }
    return writer;
  }

  private void assumeODirectHere(Path source) throws Exception {
    Path probe = dir.resolve("probe.direct");
    try (DirectIoCopy direct = DirectIoCopy.open(probe, Files.size(source), DataMode.of(source))) {
      org.junit.jupiter.api.Assumptions.assumeTrue(direct != null,
          "no O_DIRECT copy here (not Linux, a tmpfs, or a full disk): only the page-cache path would run");
    }
    Files.delete(probe);
  }

  private void assertSameBytesWithODirectAsThroughThePageCache(Path source, CheckLevel check) throws Exception {
    Path direct = Files.createDirectory(dir.resolve("direct")).resolve("copy.db");
    Path cached = Files.createDirectory(dir.resolve("cached")).resolve("copy.db");

    BackupResult viaDirect = engine.backup(BackupRequest.of(source, direct.toString()).withCheck(check),
        ProgressListener.NONE);
    BackupResult viaCache = new BackupEngine(Tuning.fromEnvironment().throughPageCache()).backup(
        BackupRequest.of(source, cached.toString()).withCheck(check), ProgressListener.NONE);

    assertEquals(TestDatabases.sha256(cached), TestDatabases.sha256(direct));
    assertEquals(TestDatabases.sha256(direct), viaDirect.copies().get(0).sha256());
    assertEquals(TestDatabases.sha256(cached), viaCache.copies().get(0).sha256());
    assertEquals(Files.size(direct), viaDirect.copies().get(0).bytes());
    assertEquals("ok", integrityCheck(direct));
    assertEquals("rollback", TestDatabases.headerJournalMode(direct));
    assertEquals(42, scalar(direct, "SELECT x FROM late"));
    assertEquals(contentDigest(source), contentDigest(direct));
    assertEquals(List.of("copy.db", "copy.db.sha256"), listing(direct.getParent()));
    assertEquals(List.of("copy.db", "copy.db.sha256"), listing(cached.getParent()));
  }
}
