package dev.sqlbak.retention;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name restore gives a target's saved previous content, {@code
 * <TARGET>.pre-restore-<yyyyMMdd'T'HHmmss'Z'>}: what {@code list} shows apart from backups and what
 * retention never counts (it is no backup name).
 *
 * @param name the whole file name
 * @param target the file name of the target whose content it holds
 * @param savedAt when it was saved (to the second, from its name)
 */
public record SafetyCopyName(String name, String target, Instant savedAt) {
  /** What comes between the target's name and the time. */
  public static final String MARK = ".pre-restore-";

  private static final Pattern NAME = Pattern.compile("(.+)" + Pattern.quote(MARK) + "(\\d{8}T\\d{6}Z)");

  /** The safety copy {@code name} describes, if it is one (a real date and time included). */
  public static Optional<SafetyCopyName> parse(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches() || m.group(1).startsWith(".sqlbak-")) {
      return Optional.empty();
    }
    try {
      Instant at = BackupNames.STAMP.parse(m.group(2), Instant::from);
      // The lenient parser turns 20260230 into Feb 28; such a name was not written by sqlbak.
      return BackupNames.STAMP.format(at).equals(m.group(2))
          ? Optional.of(new SafetyCopyName(name, m.group(1), at))
          : Optional.empty();
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The stem of its target's name ({@code app} for {@code app.db}), as {@code --stem} names it. */
  public String targetStem() {
    return BackupNames.stemOf(target);
  }
}
