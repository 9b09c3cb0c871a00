package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built sqlbak on a source named through a symlink, and with a destination that is one of the
 * source's side files: a live database is backed up exactly as through its real path, and its
 * -wal, -shm and -journal are never written, by any path, whatever --force says.
 */
class SourceIdentityIT {
  private static final int ROWS = 200;
  private static final String MOD = "10";

  @TempDir Path dir;

  /** A WAL-mode database of {@value #ROWS} rows, v = 0 everywhere. */
  static Path createTable(Path file, String journalMode) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=" + journalMode);
      s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad BLOB)");
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ")"
          + " INSERT INTO t(id, v, pad) SELECT i, 0, randomblob(300) FROM n");
    }
    return file;
  }

  /** The sum of v over the rows an application's update set: {@code ROWS / MOD} once it committed. */
  static long updatedRows(Path copy) throws Exception {
    return TestDatabases.scalar(copy, "SELECT sum(v) FROM t WHERE id % " + MOD + " = 0");
  }

  @ParameterizedTest(name = "a link to the {0}")
  @ValueSource(strings = {"file", "folder"})
  void aSymlinkedLiveSourceIsBackedUpAsThroughItsRealPath(String link) throws Exception {
    Path real = createTable(Files.createDirectories(dir.resolve("srv/real")).resolve("app.db"), "wal");
    long sizeBefore = Files.size(real);
    Path given;
    if (link.equals("file")) {
      given = Files.createDirectories(dir.resolve("srv/links")).resolve("app.db");
      Files.createSymbolicLink(given, Path.of("../real/app.db"));
    } else {
      Files.createSymbolicLink(dir.resolve("srv/linked"), Path.of("real"));
      given = dir.resolve("srv/linked/app.db");
    }
    try (Neighbours application = new Neighbours().start("holder", real, MOD)) {
      assertTrue(Files.size(dir.resolve("srv/real/app.db-wal")) > 0, "the commit must be in the -wal");
      assertEquals(sizeBefore, Files.size(real), "an update that does not grow the file");

      Sqlbak.Result r = Sqlbak.run(dir, "backup", dir.relativize(given).toString(), "out.db");

      assertEquals(0, r.exitCode(), r.describe());
      assertEquals("", r.stdout(), r.describe());
      assertEquals("ok", TestDatabases.integrityCheck(dir.resolve("out.db")));
      assertEquals(ROWS / Integer.parseInt(MOD), updatedRows(dir.resolve("out.db")),
          "the backup must hold the commit that is only in the real file's -wal");
      assertEquals(ROWS, TestDatabases.scalar(dir.resolve("out.db"), "SELECT count(*) FROM t"));
      application.stop();
    }
    assertTrue(Files.isSymbolicLink(link.equals("file") ? given : dir.resolve("srv/linked")), "the link is left alone");
  }

  @ParameterizedTest(name = "{0} by its {1}")
  @CsvSource({"-wal, own path", "-wal, symlink", "-shm, own path", "-shm, symlink", "-journal, own path",
      "-journal, symlink"})
  void aDestinationThatIsOneOfTheSourcesSideFilesIsRefusedEvenWithForce(String suffix, String how) throws Exception {
    Path real = createTable(dir.resolve("app.db"), "wal");
    Path side = dir.resolve("app.db" + suffix);
    try (Neighbours application = new Neighbours().start("holder", real, MOD)) {
      String before = Files.exists(side) ? TestDatabases.sha256(side) : "absent";
      Path dest = side;
      if (how.equals("symlink")) {
        dest = Files.createDirectories(dir.resolve("elsewhere")).resolve("copy.db");
        Files.createSymbolicLink(dest, side);
      }

      Sqlbak.Result r = Sqlbak.run(dir, "backup", "-f", "app.db", dest.toString());

      String line = assertCleanFailure(r, 1);
      assertTrue(line.startsWith("sqlbak: destination is the source's " + suffix.substring(1) + " file: "), line);
      assertEquals(before, Files.exists(side) ? TestDatabases.sha256(side) : "absent", side + " must be untouched");
      if (how.equals("symlink")) {
        assertTrue(Files.isSymbolicLink(dest), "the link is left in place");
      }
      application.stop();
    }
    // The application closed: its commit, which lived in the -wal, is in the database file now.
    assertEquals(ROWS / Integer.parseInt(MOD), updatedRows(real));
    assertEquals("ok", TestDatabases.integrityCheck(real));
  }

  @ParameterizedTest(name = "TARGET is the backup's {0} file")
  @ValueSource(strings = {"-wal", "-shm", "-journal"})
  void aRestoreTargetThatIsTheBackupsSideFileIsRefused(String suffix) throws Exception {
    Path backup = createTable(dir.resolve("b.db"), "delete");
    String sha = TestDatabases.sha256(backup);

    Sqlbak.Result r = Sqlbak.run(dir, "restore", "-f", "b.db", "b.db" + suffix);

    String line = assertCleanFailure(r, 1);
    assertTrue(line.startsWith("sqlbak: target is the backup's " + suffix.substring(1) + " file: "), line);
    assertTrue(!Files.exists(dir.resolve("b.db" + suffix), LinkOption.NOFOLLOW_LINKS), "nothing was written");
    assertEquals(sha, TestDatabases.sha256(backup));
  }

  /**
   * A live database with a second name (a hard link): SQLite keeps its -wal beside the name it was
   * opened by, so through the other name committed rows are invisible and the application's -wal
   * looks like nobody's. Backing up either name, or into the other name's side file, is refused;
   * the application's commit survives.
   */
  @Test
  void aLiveDatabaseWithAnotherHardLinkIsRefusedAndItsWalIsNeverWritten() throws Exception {
    Path real = createTable(dir.resolve("app.db"), "wal");
    try (Neighbours application = new Neighbours().start("holder", real, MOD)) {
      Files.createLink(dir.resolve("hard.db"), real);
      String wal = TestDatabases.sha256(dir.resolve("app.db-wal"));
      Files.createDirectory(dir.resolve("out"));
      for (String[] args : List.of(new String[] {"backup", "hard.db", "out.db"},
          new String[] {"backup", "app.db", "out.db"},
          new String[] {"backup", "-f", "--attach", "o=hard.db", "-s", "o", "app.db", "out/"})) {
        Sqlbak.Result r = Sqlbak.run(dir, args);
        String line = assertCleanFailure(r, 1);
        assertTrue(line.contains(" has 2 hard links: "), line);
      }
      // Into the side file of the other name: the more precise mistake is named.
      String line = assertCleanFailure(Sqlbak.run(dir, "backup", "-f", "hard.db", "app.db-wal"), 1);
      assertTrue(line.startsWith("sqlbak: destination is the source's wal file: "), line);
      assertEquals(wal, TestDatabases.sha256(dir.resolve("app.db-wal")), "the live -wal is untouched");
      assertTrue(!Files.exists(dir.resolve("out.db")));
      application.stop();
    }
    assertEquals(ROWS / Integer.parseInt(MOD), updatedRows(real));
    assertEquals("ok", TestDatabases.integrityCheck(real));
  }

  @Test
  void aRestoreTargetWithAnotherHardLinkIsRefusedAndUnchanged() throws Exception {
    Path backup = createTable(dir.resolve("b.db"), "delete");
    Path target = createTable(dir.resolve("app.db"), "delete");
    Files.createLink(dir.resolve("hard.db"), target);
    String before = TestDatabases.sha256(target);

    Sqlbak.Result r = Sqlbak.run(dir, "restore", "-f", backup.toString(), "hard.db");

    String line = assertCleanFailure(r, 1);
    assertTrue(line.startsWith("sqlbak: target has 2 hard links: "), line);
    assertEquals(before, TestDatabases.sha256(target));
    assertEquals(List.of("app.db", "b.db", "hard.db"), TestDatabases.listing(dir));
  }
}
