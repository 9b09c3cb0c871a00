package dev.sqlbak.engine;

import dev.sqlbak.sqlite.SampleContent;
import dev.sqlbak.sqlite.SqliteFailure;
import java.nio.file.Path;

/** Makes a small sample database, so that sqlbak can exercise itself without a user's data. */
public final class SampleDatabase {
  private SampleDatabase() {}

  /** Creates the sample at {@code file}, which must not exist yet. */
  public static void create(Path file) {
    try {
      SampleContent.create(file);
    } catch (SqliteFailure f) {
      throw SqlbakException.failed("cannot create the sample database", file, f.getMessage(), f);
    }
  }
}
