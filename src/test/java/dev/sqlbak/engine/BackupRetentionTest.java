package dev.sqlbak.engine;

import static dev.sqlbak.TestDatabases.createSample;
import static dev.sqlbak.TestDatabases.listing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sqlbak.BackupFolders;
import dev.sqlbak.retention.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup --keep-*: retention over the source's stem, after the new backup is published. */
class BackupRetentionTest {
  @TempDir Path dir;

  @Test
  void keepsTheNewBackupAndTheNewestOldOnesOfItsStemOnly() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 20);
    Path out = Files.createDirectory(dir.resolve("out"));
    LocalDateTime t = LocalDateTime.of(2026, 1, 1, 3, 0);
    List<String> old = new ArrayList<>();
    for (int day = 0; day < 5; day++) {
      String name = BackupFolders.name("app", t.plusDays(day), ".db");
      BackupFolders.write(out, name, BackupFolders.tinyDatabase(), true);
      old.add(name);
    }
    String otherStem = BackupFolders.name("other", t, ".db");
    BackupFolders.write(out, otherStem, BackupFolders.tinyDatabase(), true);
    Files.writeString(out.resolve("notes.txt"), "mine");

    BackupResult r = new BackupEngine().backup(BackupRequest.of(source, out.toString())
        .withRetention(RetentionPolicy.lastOnly(2)), ProgressListener.NONE);

    String fresh = r.copies().get(0).file().getFileName().toString();
    assertEquals(List.of(old.get(4), old.get(4) + ".sha256", fresh, fresh + ".sha256", "notes.txt",
        otherStem, otherStem + ".sha256"), listing(out));
    List<Path> expectedRemoved = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      expectedRemoved.add(out.resolve(old.get(i)));
      expectedRemoved.add(out.resolve(old.get(i) + ".sha256"));
    }
    assertEquals(expectedRemoved, r.pruned().stream().map(l -> ((dev.sqlbak.storage.LocalPath) l).path()).toList());
  }

  @Test
  void retentionNeedsADirectoryDestination() throws Exception {
    Path source = createSample(dir.resolve("app.db"), false, 5);
    for (String dest : List.of(dir.resolve("x.db").toString(), BackupRequest.MEMORY)) {
      SqlbakException e = assertThrows(SqlbakException.class, () -> new BackupEngine().backup(
          BackupRequest.of(source, dest).withRetention(RetentionPolicy.lastOnly(1)), ProgressListener.NONE));
      assertEquals(SqlbakException.Kind.USAGE, e.kind());
    }
    assertEquals(List.of("app.db"), listing(dir));
  }
}
