package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * File modes, as the contract's backup section says: every file sqlbak writes that holds the
 * database's data (a backup, compressed or not, a restore's safety copy, a target restored as a new
 * file) gets no permission bit its origin lacks, whatever the umask; scratch copies go to a
 * private (0700) folder under TMPDIR.
 */
class FileModesIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "umask {0}, source {1}")
  @CsvSource({"022, rw-------", "077, rw-------", "022, rw-r-----", "077, rw-r-----", "002, rw-rw-r--"})
  void noFileHoldingDataIsMoreOpenThanItsOrigin(String umask, String sourceMode) throws Exception {
    Path source = TestDatabases.createSample(dir.resolve("app.db"), true, 50);
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString(sourceMode));
    Path target = TestDatabases.createSample(dir.resolve("target.db"), false, 5);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(sourceMode));
    Path out = Files.createDirectory(dir.resolve("out"));
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Map<String, String> env = Map.of("TMPDIR", tmp.toString());

    for (String[] args : List.of(
        new String[] {"backup", "app.db", "out/app.db"},
        new String[] {"backup", "--compress", "zstd", "app.db", "out/app.db"},
        new String[] {"restore", "-f", "out/app.db", "target.db"},
        new String[] {"restore", "out/app.db.zst", "new.db"})) {
      Sqlbak.Result r = Sqlbak.runWithUmask(dir, umask, env, args);
      assertEquals(0, r.exitCode(), r.describe());
    }

    // A streamed backup is made and checked in the private scratch folder before it is sent.
    List<String> stream = List.of("sh", "-c", "umask " + umask + " && exec \"$0\" backup app.db - > streamed.db",
        Sqlbak.launcher().toString());
    try (Sqlbak.Running running = Sqlbak.Running.start(stream, dir, env)) {
      Sqlbak.Result r = running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
      assertEquals(0, r.exitCode(), r.describe());
    }
    assertEquals("ok", TestDatabases.integrityCheck(dir.resolve("streamed.db")));

    Set<PosixFilePermission> allowed = EnumSet.copyOf(PosixFilePermissions.fromString(sourceMode));
    allowed.removeAll(maskedBy(umask));
    List<Path> dataFiles = new ArrayList<>(List.of(out.resolve("app.db"), out.resolve("app.db.zst"),
        dir.resolve("new.db")));
    try (DirectoryStream<Path> safety = Files.newDirectoryStream(dir, "target.db.pre-restore-*")) {
      safety.forEach(dataFiles::add);
    }
    assertEquals(4, dataFiles.size(), "a safety copy must have been made: " + TestDatabases.listing(dir));
    for (Path file : dataFiles) {
      assertEquals(PosixFilePermissions.toString(allowed),
          PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file + " under umask " + umask);
    }
    Path scratch = tmp.resolve("sqlbak-" + System.getProperty("user.name"));
    assertTrue(Files.isDirectory(scratch), "scratch copies go under TMPDIR: " + TestDatabases.listing(tmp));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch)));
    assertEquals(List.of(), TestDatabases.listing(scratch), "no scratch copy is left behind");
  }

  /** The permissions a umask such as {@code 077} takes away. */
  private static Set<PosixFilePermission> maskedBy(String umask) {
    int mask = Integer.parseInt(umask, 8);
    Set<PosixFilePermission> masked = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] byBit = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int bit = 0; bit < byBit.length; bit++) {
      if ((mask & (1 << bit)) != 0) {
        masked.add(byBit[bit]);
      }
    }
    return masked;
  }
}
