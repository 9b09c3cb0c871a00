package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A destination that runs out of space mid-copy: a 2 MiB tmpfs receiving a 5 MiB database. The run
 * must fail with one line saying so and leave the filesystem exactly as it found it.
 */
class DiskFullIT {
  @TempDir static Path dir;
  static Path source;
  static Path full;
  static boolean mounted;

  @BeforeAll
  static void mountTinyTmpfs() throws Exception {
    source = TestDatabases.createLarge(dir.resolve("five.db"), false, 5);
    full = Files.createDirectory(dir.resolve("full"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", full.toString())
        .redirectErrorStream(true).start();
    String out = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
    Assumptions.assumeTrue(mounted,
        "cannot mount a 2 MiB tmpfs (needs root or CAP_SYS_ADMIN), so no full disk to test on: " + out);
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mounted) {
      Process umount = new ProcessBuilder("umount", full.toString()).redirectErrorStream(true).start();
      String out = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertTrue(umount.waitFor(30, TimeUnit.SECONDS) && umount.exitValue() == 0,
          "umount " + full + " failed: " + out);
    }
  }

  @BeforeEach
  void emptyAndSmallerThanTheSource() throws Exception {
    assertEquals(List.of(), TestDatabases.listing(full), "a previous case left files on the tmpfs");
    assertTrue(Files.size(source) > 2 * Files.getFileStore(full).getTotalSpace(),
        "the source must be well over the tmpfs size for the copy to hit a full disk");
  }

  @ParameterizedTest(name = "DEST {0}")
  @ValueSource(strings = {"full/out.db", "full"})
  void failsSayingTheDestinationIsFullAndLeavesNothing(String dest) throws Exception {
    long freeBefore = Files.getFileStore(full).getUnallocatedSpace();
    String sourceBytes = TestDatabases.sha256(source);

    Sqlbak.Result r = Sqlbak.run(dir, "backup", "five.db", dest);

    String line = assertCleanFailure(r, 1);
    assertTrue(line.contains("full") && line.contains(full.toString()),
        "the error must say that the destination is full, and where; " + r.describe());
    assertEquals(List.of(), TestDatabases.listing(full), "no temp file or partial backup may stay; " + r.describe());
    // Free space coming back proves no file is left, not even an unlinked one kept by a stray process.
    assertEquals(freeBefore, Files.getFileStore(full).getUnallocatedSpace(), "space used on the tmpfs");
    assertEquals(sourceBytes, TestDatabases.sha256(source));
    assertEquals(List.of("five.db", "full"), TestDatabases.listing(dir));
  }
}
