package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.payload.Provenance;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.retention.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Series: naming and retention act only within the backups of the run's own source, full or
 * partial, and the sidecars record where each backup came from (the findings of issue 17).
 */
class BackupSeriesTest {
  @TempDir Path dir;

  private static BackupResult backup(BackupRequest request) {
    return new BackupEngine().backup(request, ProgressListener.NONE);
  }

  private static String nameOf(BackupResult r) {
    return r.copies().get(0).file().getFileName().toString();
  }

  @Test
  void sameNamedDatabasesOfTwoSourcesNeverPruneEachOther() throws Exception {
    Path siteA = createSample(Files.createDirectory(dir.resolve("siteA")).resolve("db.sqlite3"), false, 30);
    Path siteB = createSample(Files.createDirectory(dir.resolve("siteB")).resolve("db.sqlite3"), true, 40);
    Path out = Files.createDirectory(dir.resolve("backups"));
    String a = nameOf(backup(BackupRequest.of(siteA, out.toString()).withRetention(RetentionPolicy.lastOnly(1))));
    Map<String, String> before = BackupFolders.snapshot(out);

    SqlbakException refused = assertThrows(SqlbakException.class, () ->
        backup(BackupRequest.of(siteB, out.toString()).withRetention(RetentionPolicy.lastOnly(1))));
    assertEquals(SqlbakException.Kind.FAILED, refused.kind());
    assertTrue(refused.getMessage().contains(siteA.toRealPath().toString()), refused.getMessage());
    assertTrue(refused.getMessage().contains("--name"), refused.getMessage());
    assertEquals(before, BackupFolders.snapshot(out), "the refused run changed the folder");

    String b = nameOf(backup(BackupRequest.of(siteB, out.toString()).withName("siteB")
        .withRetention(RetentionPolicy.lastOnly(1))));
    assertTrue(b.startsWith("siteB-"), b);
    assertEquals(List.of(a, a + ".sha256", b, b + ".sha256"), listing(out));
    assertEquals(30, TestDatabases.scalar(out.resolve(a), "SELECT count(*) FROM users"));
    assertEquals(40, TestDatabases.scalar(out.resolve(b), "SELECT count(*) FROM users"));
  }

  @Test
  void aPartialBackupNeverPrunesFullOnesNorIsPrunedByThem() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 50);
    Path out = Files.createDirectory(dir.resolve("out"));
    String full1 = nameOf(backup(BackupRequest.of(source, out.toString())));
    String full2 = nameOf(backup(BackupRequest.of(source, out.toString())));
    String part1 = nameOf(backup(BackupRequest.of(source, out.toString()).withTables(List.of("users"))
        .withRetention(RetentionPolicy.lastOnly(1))));
    assertEquals(List.of(full1, full2, part1).stream().sorted().toList(),
        listing(out).stream().filter(n -> !n.endsWith(".sha256")).toList(), "the partial run pruned full backups");

    String full3 = nameOf(backup(BackupRequest.of(source, out.toString()).withRetention(RetentionPolicy.lastOnly(1))));
    List<String> left = listing(out).stream().filter(n -> !n.endsWith(".sha256")).toList();
    assertEquals(List.of(full3, part1).stream().sorted().toList(), left, "the full run's retention");

    String part2 = nameOf(backup(BackupRequest.of(source, out.toString()).withTables(List.of("users"))
        .withRetention(RetentionPolicy.lastOnly(1))));
    left = listing(out).stream().filter(n -> !n.endsWith(".sha256")).toList();
    assertEquals(List.of(full3, part2).stream().sorted().toList(), left, "the partial run's retention");
  }

  @Test
  void aFutureDatedBackupNeitherDragsNewNamesNorCostsTheNewBackups() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 20);
    Path out = Files.createDirectory(dir.resolve("out"));
    String future = BackupFolders.name("app", LocalDateTime.of(2030, 12, 31, 0, 0), ".db");
    BackupFolders.writeGood(out, future, true);
    RetentionPolicy rules = new RetentionPolicy(null, 7, 4, null);
    String last = null;
    for (int run = 0; run < 3; run++) {
      Instant before = Instant.now().minusSeconds(1);
      BackupResult r = backup(BackupRequest.of(source, out.toString()).withRetention(rules));
      last = nameOf(r);
      Instant named = dev.sqlbak.retention.BackupNames.parse(last).orElseThrow().time();
      assertFalse(named.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)), last);
      assertTrue(named.isBefore(Instant.now().plus(Duration.ofMinutes(1))), "named after the future file: " + last);
      assertTrue(Files.exists(out.resolve(last)), "the run removed the backup it had just published");
      assertEquals(1, r.warnings().size(), r.warnings().toString());
      assertTrue(r.warnings().get(0).contains(future), r.warnings().get(0));
    }
    // By the rules: the newest of each day with backups, here the future file's day and today's.
    assertEquals(List.of(last, last + ".sha256", future, future + ".sha256"), listing(out));
  }

  @Test
  void everySidecarRecordsWhereTheBackupCameFromAndSha256sumStillChecksIt() throws Exception {
    Path real = createSample(Files.createDirectory(dir.resolve("data")).resolve("app.db"), true, 25);
    Path link = Files.createSymbolicLink(dir.resolve("app.db"), real);
    Path out = Files.createDirectory(dir.resolve("out"));
    BackupResult r = backup(BackupRequest.of(link, out.toString()));
    BackupCopy copy = r.copies().get(0);
    String text = Files.readString(Sidecar.of(copy.file()));
    assertTrue(text.startsWith("# sqlbak-provenance: 1\n# source: " + real.toRealPath() + "\n"), text);

    Provenance p = Sidecar.parse(text).provenance().orElseThrow();
    assertEquals(real.toRealPath().toString(), p.source());
    assertEquals(Provenance.thisHost(), p.host());
    assertEquals(r.snapshotTime(), p.snapshot());
    assertEquals(Provenance.FULL, p.kind());
    assertEquals(copy.pageCount(), p.pageCount());
    assertEquals(copy.pageSize(), p.pageSize());
    assertEquals(copy.sha256(), Sidecar.parse(text).sha256());

    BackupResult partial = backup(BackupRequest.of(link, out.toString()).withTables(List.of("USERS")));
    Provenance pp = Sidecar.parse(Files.readString(Sidecar.of(partial.copies().get(0).file())))
        .provenance().orElseThrow();
    assertEquals("tables: users", pp.kind());
    assertTrue(pp.partial());

    Process check;
    try {
      check = new ProcessBuilder("sha256sum", "--strict", "-c", copy.file().getFileName() + ".sha256")
          .directory(out.toFile()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("sha256sum is not installed: " + e.getMessage());
      return;
    }
    assertTrue(check.waitFor(30, TimeUnit.SECONDS));
    String said = new String(check.getInputStream().readAllBytes());
    assertEquals(0, check.exitValue(), said);
    assertTrue(said.contains(": OK"), said);
  }

  @Test
  void pruneKeepsEverySeriesOfOneNameOnItsOwn() throws Exception {
    Path a = createSample(Files.createDirectory(dir.resolve("a")).resolve("db.sqlite3"), false, 10);
    Path b = createSample(Files.createDirectory(dir.resolve("b")).resolve("db.sqlite3"), false, 20);
    Path out = Files.createDirectory(dir.resolve("out"));
    Path other = Files.createDirectory(dir.resolve("other"));
    String a1 = nameOf(backup(BackupRequest.of(a, out.toString())));
    String a2 = nameOf(backup(BackupRequest.of(a, out.toString())));
    String b1Made = nameOf(backup(BackupRequest.of(b, other.toString())));
    String b2Made = nameOf(backup(BackupRequest.of(b, other.toString())));
    // Two sources under one name in one folder, as copying backups by hand can leave them; b's
    // are given distinct seconds of 2025, so that no name of a's is taken.
    String b1 = BackupFolders.name("db", LocalDateTime.of(2025, 1, 1, 0, 0, 1), ".db");
    String b2 = BackupFolders.name("db", LocalDateTime.of(2025, 1, 1, 0, 0, 2), ".db");
    for (String[] move : List.of(new String[] {b1Made, b1}, new String[] {b2Made, b2})) {
      Files.move(other.resolve(move[0]), out.resolve(move[1]));
      Files.move(other.resolve(move[0] + ".sha256"), out.resolve(move[1] + ".sha256"));
    }
    PruneResult r = new PruneEngine().prune(new PruneRequest(out, 1, null, null, null, null, false));
    assertEquals(2, r.stems().size(), r.toString());
    List<String> left = listing(out).stream().filter(n -> !n.endsWith(".sha256")).toList();
    assertEquals(List.of(a2, b2).stream().sorted().toList(), left);
    assertFalse(left.contains(a1) || left.contains(b1));
  }

  @Test
  void partialBackupsOfOtherTablesAreAnotherSeries() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 20);
    Path out = Files.createDirectory(dir.resolve("out"));
    String users = nameOf(backup(BackupRequest.of(source, out.toString()).withTables(List.of("users"))
        .withRetention(RetentionPolicy.lastOnly(1))));
    String audit = nameOf(backup(BackupRequest.of(source, out.toString()).withTables(List.of("audit"))
        .withRetention(RetentionPolicy.lastOnly(1))));
    String usersAgain = nameOf(backup(BackupRequest.of(source, out.toString()).withTables(List.of("USERS"))
        .withRetention(RetentionPolicy.lastOnly(1))));
    List<String> left = listing(out).stream().filter(n -> !n.endsWith(".sha256")).toList();
    assertEquals(List.of(audit, usersAgain).stream().sorted().toList(), left, "removed: " + users);
  }

  @Test
  void aBackupRenamedFarFromItsSnapshotDragsNoName() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 20);
    Path out = Files.createDirectory(dir.resolve("out"));
    String made = nameOf(backup(BackupRequest.of(source, out.toString())));
    String renamed = BackupFolders.name("app", LocalDateTime.of(2030, 12, 31, 0, 0), ".db");
    Files.move(out.resolve(made), out.resolve(renamed));
    Files.move(out.resolve(made + ".sha256"), out.resolve(renamed + ".sha256"));
    BackupResult next = backup(BackupRequest.of(source, out.toString()));
    assertTrue(nameOf(next).compareTo(renamed) < 0, nameOf(next));
    assertEquals(1, next.warnings().size(), next.warnings().toString());
  }
}
