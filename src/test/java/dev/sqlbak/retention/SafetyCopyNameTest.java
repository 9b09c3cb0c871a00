package dev.sqlbak.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which names are restore's safety copies, and what they say. */
class SafetyCopyNameTest {
  @Test
  void aSafetyCopyNameGivesItsTargetAndTime() {
    SafetyCopyName n = SafetyCopyName.parse("app.db.pre-restore-20261124T101500Z").orElseThrow();
    assertEquals("app.db", n.target());
    assertEquals("app", n.targetStem());
    assertEquals(Instant.parse("2026-11-24T10:15:00Z"), n.savedAt());
    // A target named like a backup, or holding the mark itself, keeps its whole name.
    assertEquals("app-20261124T030000Z.db.pre-restore-20261124T030000Z",
        SafetyCopyName.parse("app-20261124T030000Z.db.pre-restore-20261124T030000Z.pre-restore-20261125T000000Z")
            .orElseThrow().target());
  }

  @Test
  void otherNamesAreNotSafetyCopies() {
    for (String name : new String[] {"app.db", "app.db.pre-restore-", "app.db.pre-restore-20261124T101500Z.gz",
        "app.db.pre-restore-20260230T000000Z", "app.db.pre-restore-2026112T101500Z",
        ".pre-restore-20261124T101500Z", ".sqlbak-0123456789abcdef.pre-restore-20261124T101500Z",
        "app-20261124T101500Z.db"}) {
      assertEquals(Optional.empty(), SafetyCopyName.parse(name), name);
    }
    // And a safety copy is never a backup name, so retention can never count or remove it.
    assertTrue(BackupNames.parse("app.db.pre-restore-20261124T101500Z").isEmpty());
  }
}
