package dev.sqlbak.sqlite;

import java.nio.file.Path;
import org.sqlite.SQLiteConnection;

/** Chooses, once per process and before the driver loads it, which copy of sqlite-jdbc's native library it uses. */
final class SqliteNativeLibrary {
  private SqliteNativeLibrary() {}

  /**
   * Points sqlite-jdbc at a copy of its native library in sqlbak's cache folder (see {@link
   * NativeLibraryCache}); any problem just leaves the driver to its own way.
   */
  static void useCached() {
    if (System.getProperty("org.sqlite.lib.path") != null) {
      return; // the user chose a library
    }
    try {
      String platform = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
      String name = System.mapLibraryName("sqlitejdbc");
      Path lib = NativeLibraryCache.cached(SQLiteConnection.class, "/org/sqlite/native/" + platform + "/" + name,
          "sqlite-jdbc-" + org.sqlite.SQLiteJDBCLoader.getVersion() + "-" + platform.replace('/', '-'));
      if (lib != null) {
        System.setProperty("org.sqlite.lib.path", lib.getParent().toString());
        System.setProperty("org.sqlite.lib.name", name);
      }
    } catch (RuntimeException e) {
      // Logged under SqliteDatabase's name as before it was split, so that --verbose output is unchanged.
      org.slf4j.LoggerFactory.getLogger(SqliteDatabase.class)
          .debug("native library cache unavailable; sqlite-jdbc extracts its own", e);
    }
  }
}
