package dev.sqlbak.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sqlbak.engine.PruneEnginePropertyTest;
import dev.sqlbak.engine.SqlbakException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The retention rules on hand-worked examples, chosen where a plausible implementation goes wrong:
 * days that have backups versus calendar days, ISO week 53 and week 1 across New Year, months
 * across years, UTC midnight, ties within one second. The random cases are in PruneEnginePropertyTest.
 */
class RetentionPolicyTest {
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  /** A backup of stem app at {@code utc} (ISO local date-time, read as UTC). */
  private static TimestampedBackup at(String utc) {
    return at(utc, "");
  }

  /** A backup of stem app at {@code utc}, named {@code .db} plus {@code compression}. */
  private static TimestampedBackup at(String utc, String compression) {
    Instant t = Instant.parse(utc + "Z");
    String name = "app-" + utc.replace("-", "").replace(":", "") + "Z.db" + compression;
    return new TimestampedBackup(name, "app", t);
  }

  /** The kept backups as {@code at} was given them (time, and compression if any), sorted. */
  private static Set<String> keep(RetentionPolicy policy, TimestampedBackup... backups) {
    Set<String> kept = new TreeSet<>();
    for (TimestampedBackup b : policy.keep(List.of(backups))) {
      String compression = b.name().substring(b.name().indexOf(".db") + 3);
      kept.add(UTC.format(b.time()) + compression);
    }
    return kept;
  }

  private static RetentionPolicy rules(Integer last, Integer daily, Integer weekly, Integer monthly) {
    return new RetentionPolicy(last, daily, weekly, monthly);
  }

  @Test
  void keepLastKeepsTheNNewestWhateverTheirDays() {
    assertEquals(Set.of("2026-11-24T03:00:02", "2026-11-24T03:00:01"),
        keep(rules(2, null, null, null),
            at("2026-11-20T03:00:00"), at("2026-11-24T03:00:01"), at("2026-11-24T03:00:00"), at("2026-11-24T03:00:02")));
  }

  @Test
  void keepDailyKeepsTheNewestOfEachDayThatHasBackups() {
    TimestampedBackup[] backups = {
      at("2026-01-01T08:00:00"), at("2026-01-01T20:00:00"),
      at("2026-01-10T01:00:00"), at("2026-01-10T23:00:00"),
      at("2026-01-20T12:00:00")
    };
    // The days with backups count, not calendar days: Jan 10 is the second most recent.
    assertEquals(Set.of("2026-01-20T12:00:00", "2026-01-10T23:00:00"), keep(rules(null, 2, null, null), backups));
    assertEquals(Set.of("2026-01-20T12:00:00", "2026-01-10T23:00:00", "2026-01-01T20:00:00"),
        keep(rules(null, 30, null, null), backups));
  }

  @Test
  void daysAreUtcDaysSplitAtMidnight() {
    assertEquals(Set.of("2026-03-02T00:00:00", "2026-03-01T23:59:59"),
        keep(rules(null, 2, null, null),
            at("2026-03-01T00:00:00"), at("2026-03-01T23:59:59"), at("2026-03-02T00:00:00")));
  }

  @Test
  void isoWeek53RunsIntoJanuary() {
    // 2026 has 53 ISO weeks: Thu 31 Dec 2026, Sat 2 Jan and Sun 3 Jan 2027 are all in 2026-W53.
    TimestampedBackup[] backups = {
      at("2026-12-21T03:00:00"), at("2026-12-27T03:00:00"), // Mon, Sun of 2026-W52
      at("2026-12-31T03:00:00"), at("2027-01-02T03:00:00"), at("2027-01-03T03:00:00"), // 2026-W53
      at("2027-01-04T03:00:00") // Mon, 2027-W01
    };
    assertEquals(Set.of("2027-01-04T03:00:00", "2027-01-03T03:00:00"), keep(rules(null, null, 2, null), backups));
    assertEquals(Set.of("2027-01-04T03:00:00", "2027-01-03T03:00:00", "2026-12-27T03:00:00"),
        keep(rules(null, null, 3, null), backups));
  }

  @Test
  void isoWeek1StartsInDecember() {
    // Mon 30 Dec 2024 is in 2025-W01 together with Sun 5 Jan 2025; Sun 29 Dec 2024 is 2024-W52.
    TimestampedBackup[] backups = {at("2024-12-29T03:00:00"), at("2024-12-30T03:00:00"), at("2025-01-05T03:00:00")};
    assertEquals(Set.of("2025-01-05T03:00:00", "2024-12-29T03:00:00"), keep(rules(null, null, 2, null), backups));
    assertEquals(Set.of("2025-01-05T03:00:00"), keep(rules(null, null, 1, null), backups));
  }

  @Test
  void keepMonthlyCrossesTheYear() {
    TimestampedBackup[] backups = {
      at("2026-11-30T03:00:00"), at("2026-12-01T03:00:00"), at("2026-12-31T23:59:59"), at("2027-01-01T00:00:00")
    };
    assertEquals(Set.of("2027-01-01T00:00:00", "2026-12-31T23:59:59"), keep(rules(null, null, null, 2), backups));
    assertEquals(Set.of("2027-01-01T00:00:00", "2026-12-31T23:59:59", "2026-11-30T03:00:00"),
        keep(rules(null, null, null, 12), backups));
  }

  @Test
  void aBackupKeptByAnyRuleIsKept() {
    List<TimestampedBackup> backups = new ArrayList<>();
    for (int day = 1; day <= 28; day++) {
      backups.add(at(String.format("2026-02-%02dT03:00:00", day)));
    }
    backups.add(at("2026-01-15T03:00:00"));
    backups.add(at("2025-12-15T03:00:00"));
    Set<TimestampedBackup> kept = rules(2, 3, 2, 3).keep(backups);
    Set<String> times = new TreeSet<>();
    kept.forEach(b -> times.add(b.time().toString()));
    assertEquals(Set.of(
        "2026-02-28T03:00:00Z", "2026-02-27T03:00:00Z", // last 2 (and daily)
        "2026-02-26T03:00:00Z", // daily 3
        "2026-02-22T03:00:00Z", // weekly: Sun 22 Feb ends the week before Mon 23 Feb
        "2026-01-15T03:00:00Z", "2025-12-15T03:00:00Z" // monthly 3 (Feb is already kept)
        ), times);
  }

  @Test
  void zeroKeepsNothingByThatRuleAndAnNLargerThanTheSetKeepsAll() {
    TimestampedBackup[] backups = {at("2026-01-01T00:00:00"), at("2026-02-01T00:00:00")};
    assertEquals(Set.of(), keep(rules(0, 0, 0, 0), backups));
    assertEquals(Set.of(), keep(rules(0, null, null, null), backups));
    assertEquals(Set.of("2026-01-01T00:00:00", "2026-02-01T00:00:00"), keep(rules(100, null, null, null), backups));
    assertEquals(Set.of(), keep(rules(3, 3, 3, 3)));
  }

  @Test
  void twoBackupsOfTheSameSecondAreOrderedByName() {
    // app-…Z.db < app-…Z.db.gz < app-…Z.db.zst: the later name counts as the newer one.
    TimestampedBackup[] backups = {
      at("2026-05-05T05:05:05"), at("2026-05-05T05:05:05", ".gz"), at("2026-05-05T05:05:05", ".zst"),
      at("2026-05-04T05:05:05")
    };
    assertEquals(Set.of("2026-05-05T05:05:05.zst"), keep(rules(1, null, null, null), backups));
    assertEquals(Set.of("2026-05-05T05:05:05.zst", "2026-05-05T05:05:05.gz"), keep(rules(2, null, null, null), backups));
    assertEquals(Set.of("2026-05-05T05:05:05.zst", "2026-05-04T05:05:05"), keep(rules(null, 2, null, null), backups));
  }

  @Test
  void aNegativeCountOrNoRuleAtAllIsAUsageError() {
    SqlbakException negative = assertThrows(SqlbakException.class, () -> rules(null, -1, null, null));
    assertEquals(SqlbakException.Kind.USAGE, negative.kind());
    assertEquals("invalid --keep-daily: -1; use a count of 0 or more", negative.getMessage());
    SqlbakException none = assertThrows(SqlbakException.class, () -> rules(null, null, null, null));
    assertEquals(SqlbakException.Kind.USAGE, none.kind());
    assertEquals("no retention rule: give at least one of --keep-last, --keep-daily, --keep-weekly,"
        + " --keep-monthly", none.getMessage());
  }
}
