package dev.sqlbak.retention;

import dev.sqlbak.engine.SqlbakException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which backups of one stem the {@code --keep-*} rules keep; pure computation, no files touched.
 *
 * <p>Each rule is a count, or null when not given; 0 is allowed and makes that rule keep nothing.
 * A backup kept by any rule is kept. Periods are UTC days, ISO weeks (Monday to Sunday, numbered
 * within the ISO week-based year, so 1 January can belong to week 53 of the year before) and
 * calendar months.
 *
 * @param keepLast the N newest backups
 * @param keepDaily the newest backup of each of the N most recent UTC days that have backups
 * @param keepWeekly likewise for ISO weeks
 * @param keepMonthly likewise for calendar months (UTC)
 */
public record RetentionPolicy(Integer keepLast, Integer keepDaily, Integer keepWeekly, Integer keepMonthly) {

  public RetentionPolicy {
    requireCount("--keep-last", keepLast);
    requireCount("--keep-daily", keepDaily);
    requireCount("--keep-weekly", keepWeekly);
    requireCount("--keep-monthly", keepMonthly);
    if (keepLast == null && keepDaily == null && keepWeekly == null && keepMonthly == null) {
      // Pruning without a rule would keep only the newest good backup: never a silent default.
      throw SqlbakException.usage("no retention rule",
          "give at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly", null);
    }
  }

  /** Keeps the {@code n} newest backups, and nothing by the other rules. */
  public static RetentionPolicy lastOnly(int n) {
    return new RetentionPolicy(n, null, null, null);
  }

  /**
   * The backups of {@code backups} (all of one stem) that the rules keep. The safety rule (the
   * newest backup that passes a check is never removed) needs the files, so {@code PruneEngine}
   * applies it on top.
   */
  public Set<TimestampedBackup> keep(Collection<TimestampedBackup> backups) {
    List<TimestampedBackup> newestFirst = new ArrayList<>(backups);
    newestFirst.sort(TimestampedBackup.NEWEST_FIRST);
    Set<TimestampedBackup> kept =
        new HashSet<>(newestFirst.subList(0, Math.min(countOf(keepLast), newestFirst.size())));
    keepNewestPerPeriod(newestFirst, countOf(keepDaily), RetentionPolicy::day, kept);
    keepNewestPerPeriod(newestFirst, countOf(keepWeekly), RetentionPolicy::isoWeek, kept);
    keepNewestPerPeriod(newestFirst, countOf(keepMonthly), t -> YearMonth.from(day(t)), kept);
    return kept;
  }

  /**
   * Walks the backups newest first, keeping the first one of each new period until {@code periods}
   * periods are seen. This works because every period is a contiguous range of time: in
   * newest-first order a period's backups are adjacent and its first one is its newest.
   */
  private static void keepNewestPerPeriod(List<TimestampedBackup> newestFirst, int periods,
      Function<Instant, Object> periodOf, Set<TimestampedBackup> kept) {
    Object current = null;
    int seen = 0;
    for (TimestampedBackup b : newestFirst) {
      if (seen >= periods) {
        return;
      }
      Object period = periodOf.apply(b.time());
      if (!period.equals(current)) {
        kept.add(b);
        current = period;
        seen++;
      }
    }
  }

  private static LocalDate day(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC);
  }

  /** The ISO week as week-based year and week number: 2027-01-01 is in 2026-W53, not 2027-W00. */
  private static List<Integer> isoWeek(Instant t) {
    LocalDate d = day(t);
    return List.of(d.get(WeekFields.ISO.weekBasedYear()), d.get(WeekFields.ISO.weekOfWeekBasedYear()));
  }

  private static int countOf(Integer n) {
    return n == null ? 0 : n;
  }

  private static void requireCount(String option, Integer n) {
    if (n != null && n < 0) {
      throw SqlbakException.usage("invalid " + option, n, "use a count of 0 or more");
    }
  }
}
