package dev.sqlbak.cli.output;

import java.util.Locale;

/** Byte counts as people read them (12.0 KiB), shared by every command's text output. */
public final class ByteSize {
  private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

  private ByteSize() {}

  /** {@code bytes} as "N B" below 1 KiB, else with one decimal in the largest binary unit that fits. */
  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < UNITS.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, UNITS[u]);
  }
}
