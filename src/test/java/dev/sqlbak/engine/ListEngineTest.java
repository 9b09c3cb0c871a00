package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.Provenance;
import dev.sqlbak.retention.Series;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * list on a folder of real backups of two sources, compressed and partial ones among them, and
 * hand-made copies without sidecars: the series, their order, and what each backup is said to be.
 */
class ListEngineTest {
  private static final String HAND_MADE = "app-20250101T000000Z.db";
  private static final String STRANGER = "notes-20240601T120000Z.db";

  @TempDir Path dir;
  private Path folder;
  private Path app;
  private Path other;
  private BackupCopy plain;
  private BackupCopy gzip;
  private BackupCopy partial;
  private BackupCopy ofOther;
  private Instant plainSnapshot;

  @BeforeEach
  void backups() throws Exception {
    folder = Files.createDirectory(dir.resolve("backups"));
    app = createSample(Files.createDirectory(dir.resolve("one")).resolve("app.db"), false, 50);
    other = createSample(Files.createDirectory(dir.resolve("two")).resolve("app.db"), true, 20);
    BackupEngine engine = new BackupEngine();
    BackupResult first = engine.backup(BackupRequest.of(app, folder.toString()), ProgressListener.NONE);
    plain = first.copies().get(0);
    plainSnapshot = first.snapshotTime();
    gzip = engine.backup(BackupRequest.of(app, folder.toString()).withCompression(Compression.GZIP),
        ProgressListener.NONE).copies().get(0);
    partial = engine.backup(BackupRequest.of(app, folder.toString()).withTables(List.of("users")),
        ProgressListener.NONE).copies().get(0);
    ofOther = engine.backup(BackupRequest.of(other, folder.toString()).withName("other"),
        ProgressListener.NONE).copies().get(0);
    // Hand-made copies: no sidecar, so nothing says where they came from.
    Files.copy(app, folder.resolve(HAND_MADE));
    Files.write(folder.resolve(STRANGER), BackupFolders.tinyDatabase());
    Files.writeString(folder.resolve("README.txt"), "not a backup\n");
  }

  private ListResult list() {
    return new ListEngine().list(ListRequest.of(folder));
  }

  @Test
  void groupsBySeriesInSeriesOrderNewestFirst() throws Exception {
    ListResult r = list();

    String appSource = app.toRealPath().toString();
    String host = Provenance.thisHost();
    assertEquals(List.of(Series.full("app", appSource, host),
        Series.partial("app", appSource, host, List.of("users")), Series.ofName("notes"),
        Series.full("other", other.toRealPath().toString(), host)),
        r.groups().stream().map(ListResult.Group::series).toList());
    // The hand-made app backup joins the one full series of its name (SeriesListing's rule).
    assertEquals(List.of(name(gzip), name(plain), HAND_MADE), files(r.groups().get(0)));
    assertEquals(List.of(name(partial)), files(r.groups().get(1)));
    assertEquals(List.of(STRANGER), files(r.groups().get(2)));
    assertEquals(List.of(name(ofOther)), files(r.groups().get(3)));
  }

  @Test
  void eachBackupIsDescribedByItsSidecarElseByItsName() throws Exception {
    List<ListResult.Group> groups = list().groups();
    ListResult.Listed gz = groups.get(0).newestFirst().get(0);
    ListResult.Listed db = groups.get(0).newestFirst().get(1);
    ListResult.Listed hand = groups.get(0).newestFirst().get(2);
    ListResult.Listed part = groups.get(1).newestFirst().get(0);

    assertEquals(Compression.GZIP, gz.compression());
    assertTrue(gz.file().endsWith(".db.gz"), gz.file());
    assertEquals(Optional.of("full"), gz.kind());
    assertEquals(Files.size(gzip.file()), gz.bytes());
    assertEquals(Optional.of(TestDatabases.sha256(gzip.file())), gz.sha256());

    assertEquals(Compression.NONE, db.compression());
    assertEquals(plainSnapshot, db.snapshotTime(), "the sidecar's snapshot, to the millisecond");
    assertEquals(Files.size(plain.file()), db.bytes());
    assertEquals(ListResult.Sidecar.PRESENT, db.sidecar());

    assertEquals(Optional.of("tables: users"), part.kind());

    assertEquals(Optional.empty(), hand.kind());
    assertEquals(Optional.empty(), hand.sha256());
    assertEquals(ListResult.Sidecar.MISSING, hand.sidecar());
    assertEquals(Instant.parse("2025-01-01T00:00:00Z"), hand.snapshotTime(), "the time in the name");
    assertEquals(Files.size(app), hand.bytes());
  }

  @Test
  void stemLimitsTheListingToOneName() {
    ListResult r = new ListEngine().list(ListRequest.of(folder).withStem("other"));
    assertEquals(List.of(List.of(name(ofOther))), r.groups().stream().map(ListEngineTest::files).toList());
    assertTrue(new ListEngine().list(ListRequest.of(folder).withStem("nope")).empty());
  }

  @Test
  void neverOpensTheBackups() throws Exception {
    // Garbage under a backup's name is listed by its name and size; nothing reads its content.
    Files.writeString(folder.resolve("junk-20260101T000000Z.db.zst"), "not zstd at all");
    ListResult.Listed junk = new ListEngine().list(ListRequest.of(folder).withStem("junk")).groups().get(0)
        .newestFirst().get(0);
    assertEquals(Compression.ZSTD, junk.compression());
    assertEquals(15, junk.bytes());
  }

  @Test
  void aMissingFolderOrAFileInItsPlaceFails() throws Exception {
    SqlbakException missing = assertThrows(SqlbakException.class,
        () -> new ListEngine().list(ListRequest.of(dir.resolve("nope"))));
    assertEquals("directory not found: " + dir.resolve("nope"), missing.getMessage());
    SqlbakException file = assertThrows(SqlbakException.class, () -> new ListEngine().list(ListRequest.of(app)));
    assertEquals("not a directory: " + app + "; name the folder that holds the backups", file.getMessage());
    assertEquals(SqlbakException.Kind.USAGE,
        assertThrows(SqlbakException.class, () -> ListRequest.of(folder).withStem("a/b")).kind());
  }

  private static String name(BackupCopy copy) {
    return copy.file().getFileName().toString();
  }

  private static List<String> files(ListResult.Group g) {
    return g.newestFirst().stream().map(ListResult.Listed::file).toList();
  }
}
