package dev.sqlbak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fills folders with real backup-named files for the prune tests: a tiny valid database under
 * each name, with a correct sidecar where asked, and takes exact snapshots of what a folder holds.
 */
public final class BackupFolders {
  private static byte[] tinyDatabase;

  private BackupFolders() {}

  /** The bytes of a small, valid rollback-journal database (two pages), built once. */
  public static synchronized byte[] tinyDatabase() {
    if (tinyDatabase == null) {
      try {
        Path file = Files.createTempFile("sqlbak-tiny", ".db");
        Files.delete(file);
        try (Connection c = TestDatabases.open(file); Statement s = c.createStatement()) {
          s.execute("PRAGMA journal_mode=DELETE");
          s.execute("CREATE TABLE t(x)");
          s.execute("INSERT INTO t VALUES (1), (2), (3)");
        }
        tinyDatabase = Files.readAllBytes(file);
        Files.delete(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
    return tinyDatabase.clone();
  }

  /**
   * A backup name written out field by field (not through sqlbak's formatter), e.g.
   * {@code app-20261124T030000Z.db} for suffix {@code ".db"}.
   */
  public static String name(String stem, LocalDateTime utc, String suffix) {
    return String.format(java.util.Locale.ROOT, "%s-%04d%02d%02dT%02d%02d%02dZ%s", stem, utc.getYear(),
        utc.getMonthValue(), utc.getDayOfMonth(), utc.getHour(), utc.getMinute(), utc.getSecond(), suffix);
  }

  /** Writes {@code bytes} as {@code dir/name}, with a correct {@code .sha256} sidecar if asked. */
  public static Path write(Path dir, String name, byte[] bytes, boolean sidecar) throws Exception {
    Path file = Files.write(dir.resolve(name), bytes);
    if (sidecar) {
      Files.writeString(dir.resolve(name + ".sha256"), TestDatabases.sha256(file) + "  " + name + "\n",
          StandardCharsets.UTF_8);
    }
    return file;
  }

  /** Writes the tiny valid database as {@code dir/name}, with a correct sidecar if asked. */
  public static Path writeGood(Path dir, String name, boolean sidecar) throws Exception {
    return write(dir, name, tinyDatabase(), sidecar);
  }

  /**
   * Everything in {@code dir}, by name: a file's SHA-256, a directory's own snapshot, a symlink's
   * target. Two equal snapshots mean nothing was removed, added, changed or replaced.
   */
  public static Map<String, String> snapshot(Path dir) throws Exception {
    Map<String, String> entries = new TreeMap<>();
    for (String name : TestDatabases.listing(dir)) {
      Path p = dir.resolve(name);
      if (Files.isSymbolicLink(p)) {
        entries.put(name, "link to " + Files.readSymbolicLink(p));
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        entries.put(name, "directory " + snapshot(p));
      } else {
        entries.put(name, "file " + TestDatabases.sha256(p));
      }
    }
    return entries;
  }
}
