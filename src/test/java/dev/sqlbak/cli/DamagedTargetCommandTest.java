package dev.sqlbak.cli;

import static dev.sqlbak.TestDatabases.contentDigest;
import static dev.sqlbak.TestDatabases.createSample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sqlbak.TestDatabases;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restore over a damaged TARGET through the CLI: exit codes, both streams, the line that says so. */
class DamagedTargetCommandTest {
  @TempDir Path dir;
  private Path source;
  private Path backup;
  private long pages;

  @BeforeEach
  void backup() throws Exception {
    source = createSample(dir.resolve("app.db"), false, 120);
    backup = dir.resolve("app-backup.db");
    CliRun r = CliRun.of("backup", "-q", source.toString(), backup.toString());
    assertEquals(0, r.exitCode(), r.toString());
    pages = TestDatabases.scalar(backup, "PRAGMA page_count");
  }

  private Path garbageHeader() throws Exception {
    Path target = createSample(dir.resolve("corrupt.db"), false, 500);
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("garbage, garbage, garbage".getBytes()), 0);
    }
    return target;
  }

  private Path truncatedToHalf() throws Exception {
    Path target = createSample(dir.resolve("corrupt.db"), false, 3000);
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    return target;
  }

  private Path onlySafetyCopy() throws Exception {
    List<String> copies = TestDatabases.listing(dir).stream().filter(n -> n.startsWith("corrupt.db.pre-restore-"))
        .toList();
    assertEquals(1, copies.size(), TestDatabases.listing(dir).toString());
    return dir.resolve(copies.get(0));
  }

  @Test
  void restoreOverAGarbledHeaderSavesItsBytesAndSaysItWasDamaged() throws Exception {
    Path target = garbageHeader();
    byte[] original = Files.readAllBytes(target);

    CliRun r = CliRun.of("restore", "-f", backup.toString(), target.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    Path copy = onlySafetyCopy();
    assertEquals(List.of("restored " + backup + " into " + target + ": " + pages + " pages; the target was damaged"
        + " (not a SQLite database: its first 16 bytes are not \"SQLite format 3\") and was replaced;"
        + " its bytes were saved as " + copy), r.errLines());
    assertArrayEquals(original, Files.readAllBytes(copy));
    assertEquals(contentDigest(source), contentDigest(target));
  }

  @Test
  void restoreOverATruncatedTargetWithoutSafetyCopySaysItsBytesWereNotKept() throws Exception {
    Path target = truncatedToHalf();
    long size = Files.size(target);

    CliRun r = CliRun.of("restore", "--force", "--no-safety-copy", backup.toString(), target.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("restored " + backup + " into " + target + ": " + pages + " pages;"
        + " the target was damaged (truncated: " + size + " of the " + 2 * size + " bytes its header names)"
        + " and was replaced; its bytes were not kept (--no-safety-copy)"), r.toString());
    assertTrue(TestDatabases.listing(dir).stream().noneMatch(n -> n.contains("pre-restore")));
    assertEquals(contentDigest(source), contentDigest(target));
  }

  @Test
  void restoreOverAZeroByteTargetSaysItWasEmpty() throws Exception {
    Path target = Files.createFile(dir.resolve("corrupt.db"));

    CliRun r = CliRun.of("restore", "-f", backup.toString(), target.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of("restored " + backup + " into " + target + ": " + pages + " pages;"
        + " the target was damaged (empty, 0 bytes) and was replaced"), r.errLines());
    assertEquals(contentDigest(source), contentDigest(target));
  }

  @Test
  void jsonSaysTheTargetWasDamagedAndQuietStillWarns() throws Exception {
    Path target = truncatedToHalf();

    CliRun r = CliRun.of("restore", "-f", "-q", "--json", backup.toString(), target.toString());

    assertEquals(0, r.exitCode(), r.toString());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertTrue(o.get("targetWasDamaged").getAsBoolean());
    assertEquals("truncated", o.getAsJsonObject("targetDamage").get("kind").getAsString());
    assertTrue(o.getAsJsonObject("targetDamage").get("detail").getAsString().endsWith(" bytes its header names"));
    Path copy = onlySafetyCopy();
    assertEquals(copy.toString(), o.get("safetyCopy").getAsString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().startsWith("sqlbak: warning: restored " + backup + " into " + target + ": the target was"
        + " damaged (truncated: "), r.toString());
    assertTrue(r.err().endsWith("; its bytes were saved as " + copy + System.lineSeparator()), r.toString());
  }

  @Test
  void aDamagedTargetStillNeedsForceAndABadBackupStillExits3() throws Exception {
    Path target = garbageHeader();
    Map<String, String> before = TestDatabases.snapshot(dir);
    CliRun refused = CliRun.of("restore", backup.toString(), target.toString());
    assertEquals(1, refused.exitCode(), refused.toString());
    assertEquals(List.of("sqlbak: target exists: " + target
        + "; use --force to replace its content (its old content is saved first)"), refused.errLines());

    byte[] bytes = Files.readAllBytes(backup);
    bytes[bytes.length / 2] ^= 1;
    Files.write(backup, bytes);
    before = TestDatabases.snapshot(dir);
    CliRun bad = CliRun.of("restore", "-f", backup.toString(), target.toString());
    assertEquals(3, bad.exitCode(), bad.toString());
    assertEquals(1, bad.errLines().size(), bad.toString());
    assertTrue(bad.err().startsWith("sqlbak: backup is bad: " + backup), bad.toString());
    assertEquals(before, TestDatabases.snapshot(dir), "nothing touched, no safety copy");
  }

  @Test
  void aDirectoryTargetIsRefusedWithOneLine() throws Exception {
    Path target = Files.createDirectory(dir.resolve("corrupt.db"));
    Map<String, String> before = TestDatabases.snapshot(dir);
    CliRun r = CliRun.of("restore", "-f", "--no-safety-copy", backup.toString(), target.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of("sqlbak: target is not a regular file: " + target + "; name a database file"), r.errLines());
    assertEquals(before, TestDatabases.snapshot(dir));
  }
}
