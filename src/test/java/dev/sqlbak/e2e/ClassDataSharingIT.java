package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data-sharing archive: made once in the background after a first run that
 * it does not disturb, used by later runs, and a damaged archive does not break start-up.
 */
class ClassDataSharingIT {
  @TempDir Path dir;
  private Path cache;
  private Path source;

  @BeforeEach
  void setUp() throws Exception {
    cache = dir.resolve("cache");
    source = TestDatabases.createSample(dir.resolve("app.db"), false, 200);
  }

  private Sqlbak.Result run(String... args) {
    List<String> command = new ArrayList<>(List.of("env", "XDG_CACHE_HOME=" + cache, Sqlbak.launcher().toString()));
    command.addAll(List.of(args));
    try (Sqlbak.Running running = Sqlbak.Running.start(command, dir)) {
      return running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
    }
  }

  private List<Path> archives() throws Exception {
    Path cds = cache.resolve("sqlbak").resolve("cds");
    if (!Files.isDirectory(cds)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(cds)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".jsa")).sorted().toList();
    }
  }

  /** What is in the archive folder besides the archives and the .src files that name their jars. */
  private List<String> others() throws Exception {
    return TestDatabases.listing(cache.resolve("sqlbak").resolve("cds")).stream()
        .filter(n -> !n.endsWith(".jsa") && !n.endsWith(".src")).toList();
  }

  private Path awaitArchive() throws Exception {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (archives().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(1, archives().size(), "no archive appeared: " + TestDatabases.listing(cache.resolve("sqlbak").resolve("cds")));
    // The training run removes its work folder after renaming the archive into place.
    while (!others().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    return archives().get(0);
  }

  private void backupSucceedsQuietly(String name) throws Exception {
    Sqlbak.Result r = run("backup", "-q", source.toString(), dir.resolve(name).toString());
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stdout(), r.describe());
    assertEquals("", r.stderr(), r.describe());
    BackupAssertions.assertCompleteCopy(dir.resolve(name), source);
  }

  @Test
  void theFirstRunTrainsAnArchiveInTheBackgroundThatLaterRunsUse() throws Exception {
    backupSucceedsQuietly("first.db");
    Path archive = awaitArchive();
    assertTrue(Files.size(archive) > 1_000_000, "archive of " + Files.size(archive) + " bytes");
    FileTime made = Files.getLastModifiedTime(archive);

    backupSucceedsQuietly("second.db");
    assertEquals(List.of(archive), archives(), "a current archive is used, not made again");
    assertEquals(made, Files.getLastModifiedTime(archive));
    assertEquals(List.of(), others(), "no training run was started beside a current archive");
  }

  @Test
  void aDamagedArchiveIsRefusedQuietlyAndAStaleOneIsMadeAgain() throws Exception {
    backupSucceedsQuietly("first.db");
    Path archive = awaitArchive();
    byte[] noise = new byte[64 * 1024];
    new java.util.Random(7).nextBytes(noise);
    Files.write(archive, noise);
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(60)));

    // Newer than the launcher, so used as it is: the JVM must refuse it without a word.
    backupSucceedsQuietly("damaged.db");

    // Older than the launcher: stale, so a new training run replaces it.
    Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2000-01-01T00:00:00Z")));
    backupSucceedsQuietly("stale.db");
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (Files.size(archive) == noise.length && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertTrue(Files.size(archive) > 1_000_000, "the stale archive was not made again");
    backupSucceedsQuietly("fresh.db");
  }

  /**
   * The same installed launcher started by different path strings (absolute, ./, ../, a symlink)
   * trains and uses one archive; a rebuilt launcher (a new file at the same path) gets its own, and
   * the old one is removed.
   */
  @Test
  void oneArchivePerInstalledLauncherAndARebuiltOneReplacesIt() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("opt/bin"));
    Path oldStyle = Files.writeString(Files.createDirectories(cache.resolve("sqlbak/cds")).resolve("sqlbak-123.jsa"),
        "an archive of an older launcher, keyed by a path string");
    Path installed = Files.copy(Sqlbak.launcher(), bin.resolve("sqlbak"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.createSymbolicLink(dir.resolve("linked"), installed);
    Path elsewhere = Files.createDirectories(dir.resolve("work"));
    List<Sqlbak.Result> runs = List.of(
        runAt(dir, installed.toString(), "--version"),
        runAt(bin, "./sqlbak", "--version"),
        runAt(elsewhere, "../opt/bin/sqlbak", "--version"),
        runAt(dir, "./linked", "--version"));
    for (Sqlbak.Result r : runs) {
      assertEquals(0, r.exitCode(), r.describe());
    }
    Path first = awaitArchive();
    runAt(elsewhere, "../opt/bin/sqlbak", "--version");
    assertEquals(List.of(first), archives(), "one archive for one installed launcher; the older launcher's is gone");
    assertTrue(!Files.exists(oldStyle));

    Path rebuilt = Files.copy(Sqlbak.launcher(), bin.resolve("sqlbak.new"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.move(rebuilt, installed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertEquals(0, runAt(bin, "./sqlbak", "--version").exitCode());
    long deadline = System.nanoTime() + 90_000_000_000L;
    while ((archives().contains(first) || archives().isEmpty()) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    List<Path> now = archives();
    assertEquals(1, now.size(), "the rebuilt launcher's archive, and only it: " + now);
    assertTrue(!now.get(0).equals(first), "the old archive is gone");
  }

  private Sqlbak.Result runAt(Path cwd, String launcher, String... args) {
    List<String> command = new ArrayList<>(List.of("env", "XDG_CACHE_HOME=" + cache, launcher));
    command.addAll(List.of(args));
    try (Sqlbak.Running running = Sqlbak.Running.start(command, cwd)) {
      return running.waitFor(Sqlbak.DEFAULT_TIMEOUT);
    }
  }
}
