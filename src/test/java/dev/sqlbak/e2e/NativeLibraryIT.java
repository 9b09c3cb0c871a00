package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqlite-jdbc's native library comes from a per-user cache, not from the temporary folder: start-up
 * works without a temporary folder, leaves nothing in it, and repairs a damaged cached copy.
 */
class NativeLibraryIT {
  @TempDir Path dir;
  private Path cache;
  private Path source;

  @BeforeEach
  void setUp() throws Exception {
    cache = dir.resolve("cache");
    source = TestDatabases.createSample(dir.resolve("app.db"), false, 200);
  }

  /** Runs sqlbak with its own cache folder and temporary folder. */
  private Sqlbak.Result run(Path tmpdir, String... args) {
    List<String> command = new ArrayList<>(List.of("env", "XDG_CACHE_HOME=" + cache,
        "SQLBAK_JAVA_OPTS=-XX:+UseSerialGC -Djava.io.tmpdir=" + tmpdir, Sqlbak.launcher().toString()));
    command.addAll(List.of(args));
    try (Sqlbak.Running running = Sqlbak.Running.start(command, dir)) {
      return running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
    }
  }

  private Path cachedLibrary() throws Exception {
    try (var files = Files.walk(cache)) {
      List<Path> libs = files.filter(p -> p.getFileName().toString().startsWith("libsqlitejdbc")).toList();
      assertEquals(1, libs.size(), libs.toString());
      return libs.get(0);
    }
  }

  @Test
  void startsWithoutATemporaryFolderAndSaysNothingAboutIt() throws Exception {
    Path missing = dir.resolve("no-such-tmp");
    Sqlbak.Result r = run(missing, "backup", "-q", source.toString(), dir.resolve("b.db").toString());
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    BackupAssertions.assertCompleteCopy(dir.resolve("b.db"), source);
    assertTrue(Files.size(cachedLibrary()) > 100_000);
    assertFalse(Files.exists(missing));
  }

  @Test
  void leavesNothingInTheTemporaryFolderEvenWhenKilled() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    for (int i = 0; i < 3; i++) {
      Sqlbak.Result r = run(tmp, "backup", "-q", source.toString(), dir.resolve("b" + i + ".db").toString());
      assertEquals(0, r.exitCode(), r.describe());
    }
    List<String> command = List.of("env", "XDG_CACHE_HOME=" + cache,
        "SQLBAK_JAVA_OPTS=-Djava.io.tmpdir=" + tmp, Sqlbak.launcher().toString(), "backup", "--pages", "1",
        source.toString(), dir.resolve("killed.db").toString());
    try (Sqlbak.Running running = Sqlbak.Running.start(command, dir)) {
      Thread.sleep(400); // past start-up, when the driver would have extracted its library
      running.kill9();
    }
    assertEquals(List.of(), leftIn(tmp));
  }

  @Test
  void startsWithANoexecTemporaryFolder() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("noexec"));
    org.junit.jupiter.api.Assumptions.assumeTrue(
        dev.sqlbak.TestCommands.succeeds("mount", "-t", "tmpfs", "-o", "size=4m,noexec", "tmpfs", tmp.toString()),
        "needs root to mount a noexec tmpfs; not available here");
    try {
      Sqlbak.Result r = run(tmp, "backup", "-q", "--compress", "zstd", source.toString(),
          dir.resolve("b.db").toString());
      assertEquals(0, r.exitCode(), r.describe());
      assertEquals("", r.stderr(), r.describe());
      Sqlbak.Result v = run(tmp, "verify", dir.resolve("b.db.zst").toString());
      assertEquals(0, v.exitCode(), v.describe());
      assertEquals(List.of(), leftIn(tmp));
    } finally {
      dev.sqlbak.TestCommands.succeeds("umount", tmp.toString());
    }
  }

  @Test
  void zstdLoadsItsLibraryFromTheCacheNotTheTemporaryFolder() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Sqlbak.Result r = run(tmp, "backup", "-q", "--compress", "zstd", source.toString(),
        dir.resolve("b.db").toString());
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    Sqlbak.Result v = run(tmp, "verify", dir.resolve("b.db.zst").toString());
    assertEquals(0, v.exitCode(), v.describe());
    assertEquals(List.of(), leftIn(tmp), "nothing extracted into the temporary folder");
    try (var files = Files.walk(cache)) {
      assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("libzstd-jni")).count(),
          "zstd-jni's library is cached once");
    }
  }

  @Test
  void aTruncatedCachedLibraryIsReplaced() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    assertEquals(0, run(tmp, "--version").exitCode());
    Path lib = cachedLibrary();
    long size = Files.size(lib);
    Files.write(lib, new byte[1000]);

    Sqlbak.Result r = run(tmp, "backup", "-q", source.toString(), dir.resolve("b.db").toString());

    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    assertEquals(size, Files.size(lib));
    assertEquals(List.of(), leftIn(tmp));
  }

  /**
   * What is left in a temporary folder apart from sqlbak's private scratch folder, which stays for
   * later runs and must itself be empty.
   */
  private static List<String> leftIn(Path tmp) throws Exception {
    List<String> left = new java.util.ArrayList<>(TestDatabases.listing(tmp));
    left.remove("sqlbak-" + System.getProperty("user.name"));
    left.addAll(TestDatabases.scratchFiles(tmp));
    return left;
  }
}
