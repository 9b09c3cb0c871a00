package dev.sqlbak.e2e;

import static dev.sqlbak.e2e.BackupAssertions.assertCleanFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input through the real process: the contract's exit code, one {@code sqlbak:} line naming the
 * problem, no stack trace, and not one file created, changed or removed anywhere.
 */
class BadInputIT {
  @TempDir Path dir;

  /** Prepares the files of one case in {@code src/} and {@code dst/}. */
  @FunctionalInterface
  interface Setup {
    void apply(Path src, Path dst) throws Exception;
  }

  /** One bad invocation, what it must exit with, and words its error line must contain. */
  record Case(String name, Setup setup, List<String> args, int exitCode, List<String> mentions) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    Setup app = (src, dst) -> TestDatabases.createSample(src.resolve("app.db"), false, 200);
    Setup walApp = (src, dst) -> TestDatabases.createSample(src.resolve("app.db"), true, 200);
    return Stream.of(
        c("missing source", (src, dst) -> { }, 1, List.of("not found", "missing.db"),
            "backup", "src/missing.db", "dst/out.db"),
        c("source is a directory", (src, dst) -> Files.createDirectory(src.resolve("adir")), 1,
            List.of("directory", "adir"), "backup", "src/adir", "dst/out.db"),
        c("source is a text file",
            (src, dst) -> Files.writeString(src.resolve("notes.txt"), "shopping list\nmilk\neggs\n"), 1,
            List.of("not a SQLite database", "notes.txt"), "backup", "src/notes.txt", "dst/out.db"),
        c("source is random bytes", (src, dst) -> Files.write(src.resolve("noise.db"), randomBytes(65536)), 1,
            List.of("not a SQLite database", "noise.db"), "backup", "src/noise.db", "dst/out.db"),
        c("source is a truncated database", (src, dst) -> truncatedCopy(src, 0.5), 1,
            List.of("cut.db"), "backup", "src/cut.db", "dst/out.db"),
        c("source is a database cut to its first 100 bytes", (src, dst) -> truncatedCopy(src, -100), 1,
            List.of("cut.db"), "backup", "src/cut.db", "dst/out.db"),
        c("source is a 0-byte file", (src, dst) -> Files.createFile(src.resolve("zero.db")), 1,
            List.of("zero.db"), "backup", "src/zero.db", "dst/out.db"),
        c("source has a damaged page in the middle",
            (src, dst) -> {
              Path db = TestDatabases.createSample(src.resolve("damaged.db"), false, 3000);
              TestDatabases.scribblePage(db, TestDatabases.middlePage(db));
            }, 1, List.of("damaged.db", "source may be corrupt", "nothing was published"),
            "backup", "src/damaged.db", "dst/out.db"),
        c("source's header has a page size that is not a power of two",
            (src, dst) -> {
              Path db = TestDatabases.createSample(src.resolve("pagesize.db"), false, 200);
              byte[] bytes = Files.readAllBytes(db);
              bytes[16] = 0x03; // big-endian page size at offset 16: 0x0300 = 768
              bytes[17] = 0x00;
              Files.write(db, bytes);
            }, 1, List.of("pagesize.db"), "backup", "src/pagesize.db", "dst/out.db"),
        c("source is a FIFO (must not hang waiting for a writer)",
            (src, dst) -> assertTrue(dev.sqlbak.TestCommands.succeeds("mkfifo", src.resolve("pipe.db").toString()),
                "mkfifo"), 1, List.of("pipe.db", "not a regular file"), "backup", "src/pipe.db", "dst/out.db"),
        c("source is a symlink loop",
            (src, dst) -> {
              Files.createSymbolicLink(src.resolve("loop.db"), Path.of("loop2.db"));
              Files.createSymbolicLink(src.resolve("loop2.db"), Path.of("loop.db"));
            }, 1, List.of("loop.db", "symbolic links"), "backup", "src/loop.db", "dst/out.db"),
        c("DEST is SOURCE", app, 1, List.of("source itself"), "backup", "src/app.db", "src/app.db"),
        c("DEST is SOURCE, --force", app, 1, List.of("source itself"),
            "backup", "--force", "src/app.db", "src/app.db"),
        c("DEST is SOURCE in WAL mode, --force", walApp, 1, List.of("source itself"),
            "backup", "--force", "src/app.db", "src/app.db"),
        c("DEST is SOURCE via ./, --force", app, 1, List.of("source itself"),
            "backup", "--force", "src/app.db", "./src/../src/./app.db"),
        c("DEST is a symlink to SOURCE, --force",
            (src, dst) -> {
              app.apply(src, dst);
              Files.createSymbolicLink(dst.resolve("link.db"), Path.of("../src/app.db"));
            }, 1, List.of("source itself"), "backup", "--force", "src/app.db", "dst/link.db"),
        c("DEST is SOURCE through a symlinked folder, --force",
            (src, dst) -> {
              walApp.apply(src, dst);
              Files.createSymbolicLink(dst.resolve("alias"), Path.of("../src"));
            }, 1, List.of("source itself"), "backup", "--force", "src/app.db", "dst/alias/app.db"),
        c("DEST is a hard link to SOURCE, --force",
            (src, dst) -> {
              app.apply(src, dst);
              Files.createLink(dst.resolve("same.db"), src.resolve("app.db"));
            }, 1, List.of("source itself"), "backup", "--force", "src/app.db", "dst/same.db"),
        c("missing DEST folder", app, 1, List.of("nope"), "backup", "src/app.db", "dst/nope/out.db"),
        c("missing DEST folder named with a trailing slash", app, 1, List.of("nope"),
            "backup", "src/app.db", "dst/nope/"),
        c("existing DEST without --force",
            (src, dst) -> {
              app.apply(src, dst);
              TestDatabases.createSample(dst.resolve("out.db"), false, 7);
            }, 1, List.of("exists", "out.db"), "backup", "src/app.db", "dst/out.db"),
        c("unknown schema", app, 1, List.of("nope"), "backup", "--schema", "nope", "src/app.db", "dst/out.db"),
        c("missing attached file", app, 1, List.of("missing.db"),
            "backup", "--attach", "aux=src/missing.db", "--schema", "main", "--schema", "aux",
            "src/app.db", "dst"),
        c("several schemas into a file DEST",
            (src, dst) -> {
              app.apply(src, dst);
              TestDatabases.createSample(src.resolve("aux.db"), false, 5);
            }, 1, List.of("out.db"),
            "backup", "--attach", "aux=src/aux.db", "--schema", "main", "--schema", "aux",
            "src/app.db", "dst/out.db"),
        c("--pages 0", app, 2, List.of("pages", "0"), "backup", "--pages", "0", "src/app.db", "dst/out.db"),
        c("--pages -5", app, 2, List.of("pages", "-5"), "backup", "--pages", "-5", "src/app.db", "dst/out.db"),
        c("--pages abc", app, 2, List.of("pages", "abc"), "backup", "--pages", "abc", "src/app.db", "dst/out.db"),
        c("unknown option", app, 2, List.of("--frobnicate"),
            "backup", "--frobnicate", "src/app.db", "dst/out.db"),
        c("missing SOURCE", app, 2, List.of("SOURCE"), "backup"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void failsCleanlyAndChangesNothing(Case c) throws Exception {
    check(c);
  }

  /**
   * The same promise for a damaged WAL-mode source. It fails today: opening a file whose header
   * says WAL makes SQLite create {@code cut.db-wal} and {@code cut.db-shm} beside it, read-only
   * connections included, and only a read-write connection removes them on close. Kept, disabled,
   * until the contract either allows these files or sqlbak avoids them.
   */
  @Disabled("known: a failed run on a WAL-mode source leaves SQLite's -wal and -shm beside it")
  @Test
  void damagedWalModeSourceFailsCleanlyAndChangesNothing() throws Exception {
    check(c("source is a truncated WAL-mode database", (src, dst) -> truncatedCopy(src, 0.5, true), 1,
        List.of("cut.db"), "backup", "src/cut.db", "dst/out.db"));
  }

  private void check(Case c) throws Exception {
    Path src = Files.createDirectory(dir.resolve("src"));
    Path dst = Files.createDirectory(dir.resolve("dst"));
    c.setup().apply(src, dst);
    Map<String, String> before = TestDatabases.snapshot(dir);

    Sqlbak.Result r = Sqlbak.run(dir, c.args().toArray(String[]::new));

    String line = assertCleanFailure(r, c.exitCode());
    for (String word : c.mentions()) {
      assertTrue(line.contains(word), "the error line should mention '" + word + "'; " + r.describe());
    }
    assertEquals(before, TestDatabases.snapshot(dir),
        "a failed run must create, change or remove nothing; " + r.describe());
  }

  private static Case c(String name, Setup setup, int exitCode, List<String> mentions, String... args) {
    return new Case(name, setup, Arrays.asList(args), exitCode, mentions);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  /**
   * {@code src/cut.db}: a multi-page database (rollback-journal unless {@code wal}) cut to a fraction of its size (or, if
   * negative, to that many bytes), as a copy interrupted mid-way would leave it.
   */
  private static void truncatedCopy(Path src, double keep) throws Exception {
    truncatedCopy(src, keep, false);
  }

  private static void truncatedCopy(Path src, double keep, boolean wal) throws Exception {
    Path whole = TestDatabases.createSample(src.resolve("whole.tmp"), wal, 3000);
    byte[] bytes = Files.readAllBytes(whole);
    int length = keep < 0 ? (int) -keep : (int) (bytes.length * keep);
    Files.write(src.resolve("cut.db"), Arrays.copyOf(bytes, length));
    Files.delete(whole);
  }
}
