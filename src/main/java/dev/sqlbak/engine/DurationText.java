package dev.sqlbak.engine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations sqlbak accepts: 500ms, 5s, 2m, 1h, ISO-8601 (PT5S), or bare milliseconds. */
public final class DurationText {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)?");

  private DurationText() {}

  /**
   * Returns the duration the text names.
   *
   * @throws IllegalArgumentException with a message fit for a usage error
   */
  public static Duration parse(String text) {
    String t = text.trim();
    Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        switch (unit) {
          case "ms":
            return Duration.ofMillis(n);
          case "s":
            return Duration.ofSeconds(n);
          case "m":
            return Duration.ofMinutes(n);
          default:
            return Duration.ofHours(n);
        }
      }
      if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
        Duration d = Duration.parse(t);
        if (!d.isNegative()) {
          return d;
        }
      }
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      // fall through to the one message below
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a duration (use e.g. 500ms, 5s, 2m, PT5S, or milliseconds)");
  }

  /** Formats a duration the way users type it (5s, 500ms, 2m). */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0 && ms > 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
