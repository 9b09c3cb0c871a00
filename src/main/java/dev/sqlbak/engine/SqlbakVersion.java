package dev.sqlbak.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** sqlbak's own version, as the build wrote it into the jar. */
public final class SqlbakVersion {
  private static final String VERSION = read();

  private SqlbakVersion() {}

  /** The version, or {@code unknown} when the jar does not say. */
  public static String get() {
    return VERSION;
  }

  private static String read() {
    Properties p = new Properties();
    try (InputStream in = SqlbakVersion.class.getResourceAsStream("/sqlbak-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }
}
