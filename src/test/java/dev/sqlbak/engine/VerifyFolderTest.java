package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import java.nio.file.Files;
import dev.sqlbak.storage.LocalPath;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify DIR and --latest on real backups: which files a folder stands for, in which order; an
 * empty folder; and a failed check that says the source may be damaged too.
 */
class VerifyFolderTest {
  @TempDir Path dir;
  private final VerifyEngine engine = new VerifyEngine();
  private Path folder;
  /** Two backups of app (older first), one of other. */
  private List<Path> app;
  private Path other;

  @BeforeEach
  void backups() throws Exception {
    folder = Files.createDirectory(dir.resolve("backups"));
    Path appDb = createSample(dir.resolve("app.db"), false, 30);
    Path otherDb = createSample(Files.createDirectory(dir.resolve("b")).resolve("app.db"), false, 10);
    BackupEngine backups = new BackupEngine();
    Path older = backups.backup(BackupRequest.of(appDb, folder.toString()), ProgressListener.NONE)
        .copies().get(0).file();
    Path newer = backups.backup(BackupRequest.of(appDb, folder.toString()), ProgressListener.NONE)
        .copies().get(0).file();
    app = List.of(older, newer);
    other = backups.backup(BackupRequest.of(otherDb, folder.toString()).withName("other"), ProgressListener.NONE)
        .copies().get(0).file();
    Files.writeString(folder.resolve("notes.txt"), "not a backup\n");
  }

  private static List<Path> files(List<Verdict> verdicts) {
    return verdicts.stream().map(v -> ((LocalPath) v.file()).path()).toList();
  }

  @Test
  void aFolderStandsForItsBackupsSeriesBySeriesNewestFirst() {
    List<Verdict> v = engine.verify(VerifyRequest.of(List.of(folder)));
    assertEquals(List.of(app.get(1), app.get(0), other), files(v));
    assertTrue(v.stream().allMatch(Verdict::ok), v.toString());
  }

  @Test
  void latestChecksOnlyTheNewestOfEachSeriesAndFilesAsGiven() {
    Path loose = app.get(0);
    List<Verdict> v = engine.verify(VerifyRequest.of(List.of(loose, folder))
        .withSelection(VerifyRequest.Selection.LATEST));
    assertEquals(List.of(loose, app.get(1), other), files(v));
  }

  @Test
  void latestWithoutAFolderIsAUsageError() {
    SqlbakException e = assertThrows(SqlbakException.class, () -> engine.verify(
        VerifyRequest.of(app).withSelection(VerifyRequest.Selection.LATEST)));
    assertEquals(SqlbakException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().startsWith("--latest needs a folder: " + app.get(0)), e.getMessage());
  }

  @Test
  void aFolderWithoutBackupsIsAVerdictOfItsOwn() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Files.writeString(empty.resolve("app.db.sha256"), "not a backup either\n");
    List<Verdict> v = engine.verify(VerifyRequest.of(List.of(empty, other)));
    assertEquals(List.of(Verdict.Status.NO_BACKUPS, Verdict.Status.OK), v.stream().map(Verdict::status).toList());
    assertEquals(List.of("no backups found"), v.get(0).problems());
  }

  @Test
  void indexDamageCopiedFromTheSourceSaysTheSourceMayBeDamagedToo() throws Exception {
    Path damaged = TestDatabases.createWithIndexDamage(dir.resolve("damaged.db"));
    Path backup = new BackupEngine().backup(BackupRequest.of(damaged, folder.toString()).withCheck(CheckLevel.QUICK),
        ProgressListener.NONE).copies().get(0).file();

    Verdict v = engine.verify(VerifyRequest.of(List.of(backup))).get(0);

    assertEquals(Verdict.Status.BAD, v.status());
    assertTrue(v.problems().get(0).contains("missing from index i"), v.problems().toString());
    assertEquals(Optional.of(BackupInspection.SOURCE_TOO_HINT), v.hint());
  }

  @Test
  void bytesChangedAfterTheBackupWasWrittenDoNotBlameTheSource() throws Exception {
    Path backup = app.get(1);
    TestDatabases.scribblePage(backup, TestDatabases.scalar(backup, "PRAGMA page_count") - 2);
    Verdict v = engine.verify(VerifyRequest.of(List.of(backup))).get(0);
    assertEquals(Verdict.Status.BAD, v.status());
    assertTrue(v.problems().get(0).startsWith("sha256 mismatch"), v.problems().toString());
    assertEquals(Optional.empty(), v.hint());
  }
}
