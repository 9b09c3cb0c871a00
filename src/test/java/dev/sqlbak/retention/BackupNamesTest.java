package dev.sqlbak.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which names prune takes for sqlbak's backups, and how it reads their stem and time. */
class BackupNamesTest {

  @Test
  void theStemIsEverythingBeforeTheLastTimestamp() {
    assertParsed("app-20261124T030000Z.db", "app", "2026-11-24T03:00:00Z");
    assertParsed("my-app-20261124T030000Z.db.gz", "my-app", "2026-11-24T03:00:00Z");
    assertParsed("app-20201231T235959Z-20270101T000000Z.db.zst", "app-20201231T235959Z", "2027-01-01T00:00:00Z");
    assertParsed("-x-20261124T030000Z.db", "-x", "2026-11-24T03:00:00Z");
    assertParsed("a b.c-20240229T120000Z.db", "a b.c", "2024-02-29T12:00:00Z");
  }

  @Test
  void namesOfAnotherShapeAreNotBackups() {
    for (String name : List.of(
        "notes.txt", "app.db", "app-20261124T0300Z.db", "app-20261124T030000Z.db.bak",
        "app-20261124T030000Z.db.sha256", "app-20261124T030000Z.db-journal", "app-20261124T030000Z.sqlite",
        "app-20261124T030000z.db", "app-20261124T030000Z.DB", "app_20261124T030000Z.db",
        "-20261124T030000Z.db", "app-20261124T030000Z.db.gz.gz", "app-20261124 030000Z.db",
        "app-20260230T030000Z.db", "app-20261124T250000Z.db", "app-20261124T240000Z.db",
        "app-20261124T035960Z.db", "app-20261324T030000Z.db", "app-00001124T030000Z.db",
        "app-٢٠٢٦١١٢٤T030000Z.db",
        ".sqlbak-0123456789abcdef.db", ".sqlbak-20261124T030000Z.db")) {
      assertTrue(BackupNames.parse(name).isEmpty(), name);
    }
  }

  private static void assertParsed(String name, String stem, String time) {
    TimestampedBackup b = BackupNames.parse(name).orElseThrow(() -> new AssertionError(name));
    assertEquals(stem, b.stem(), name);
    assertEquals(Instant.parse(time), b.time(), name);
    assertEquals(name, b.name());
    // The stem found this way is the one whose backups the existing per-stem pattern matches.
    assertTrue(BackupNames.patternFor(stem).matcher(name).matches(), name);
  }
}
