package dev.sqlbak.retention;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The timestamped names of backups in a folder: {@code <stem>-<yyyyMMdd'T'HHmmss'Z'>.db}. */
public final class BackupNames {
  /** The UTC timestamp format used in backup names. */
  public static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /**
   * Any backup name: group 1 is the stem, everything before the last {@code -<timestamp>} (so stems
   * may contain dashes, even timestamps), group 2 the timestamp.
   */
  private static final Pattern ANY_BACKUP = Pattern.compile("(.+)-(\\d{8}T\\d{6}Z)\\.db(?:\\.gz|\\.zst)?(?:\\.age)?");
  /** sqlbak's temporary files; the sweep owns them, so they are never taken for backups. */
  private static final String TEMP_PREFIX = ".sqlbak-";

  private BackupNames() {}

  /**
   * The backup that the file name {@code name} (a name in a store) describes, if it is one of
   * sqlbak's timestamped backup names ({@code <stem>-<yyyyMMdd'T'HHmmss'Z'>.db}, optionally
   * {@code .gz} or {@code .zst}) with a real date and time; says nothing about the file's content
   * or whether it exists.
   */
  public static Optional<TimestampedBackup> parse(String name) {
    if (name.startsWith(TEMP_PREFIX)) {
      return Optional.empty();
    }
    Matcher m = ANY_BACKUP.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    Instant time;
    try {
      time = STAMP.parse(m.group(2), Instant::from);
    } catch (DateTimeException e) {
      return Optional.empty();
    }
    // The lenient parser turns 20260230 into Feb 28; such a name was not written by sqlbak.
    if (!STAMP.format(time).equals(m.group(2))) {
      return Optional.empty();
    }
    return Optional.of(new TimestampedBackup(name, m.group(1), time));
  }

  /** A file name without its last extension: {@code app.db} and {@code app.sqlite} give {@code app}. */
  public static String stemOf(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** The backup name for {@code stem} at {@code time} (to the second). */
  public static String nameFor(String stem, Instant time) {
    return stem + "-" + STAMP.format(time) + ".db";
  }

  /** A matcher for sqlbak's backup names of {@code stem}; group 1 is the timestamp. */
  public static Pattern patternFor(String stem) {
    return Pattern.compile(Pattern.quote(stem) + "-(\\d{8}T\\d{6}Z)\\.db(\\.gz|\\.zst)?(\\.age)?");
  }

  /**
   * The time to name a new backup taken at {@code wanted}: that second, or the first free second
   * after it, where a second is taken when {@code names} (the names in the store) hold a backup of
   * {@code stem} for it, compressed or not. The clock is never moved by what else is there: a
   * backup dated in the future does not drag later names after it.
   */
  public static Instant nextFree(Collection<String> names, String stem, Instant wanted) {
    Pattern pattern = patternFor(stem);
    Set<String> taken = new HashSet<>();
    for (String name : names) {
      Matcher m = pattern.matcher(name);
      if (m.matches()) {
        taken.add(m.group(1));
      }
    }
    Instant second = wanted.truncatedTo(ChronoUnit.SECONDS);
    while (taken.contains(STAMP.format(second))) {
      second = second.plusSeconds(1);
    }
    return second;
  }
}
