package dev.sqlbak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random command lines, valid and invalid options, values and paths mixed, run
 * in-process through {@link SqlbakCommand#run}: whatever the mix, the exit code is one the
 * contract knows, a failure says so in one {@code sqlbak: } line without a stack trace, stdout
 * carries no messages, and nothing outside the test's folder changes.
 *
 * <p>{@code -Dsqlbak.fuzz.runs=N} (default 2000) and {@code -Dsqlbak.fuzz.seed=S} (default: a fixed
 * seed, or a new one with {@code -Dsqlbak.soak=true}; printed) make longer or repeated runs. Only absolute paths inside the test's folder are
 * generated as positionals: a relative DEST, TARGET or DIR would resolve against the working
 * directory, which is the project.
 */
class ArgumentFuzzTest {
  private static final List<String> SUBCOMMANDS =
      List.of("backup", "restore", "verify", "info", "list", "prune", "completion", "help");

  @TempDir Path dir;

  private final List<String> paths = new ArrayList<>();
  private Path attached;

  @Test
  void everyCommandLineEndsWithAKnownExitCodeAndOneCleanErrorLine() throws Exception {
    int runs = Integer.getInteger("sqlbak.fuzz.runs", 2000);
    // A fixed seed by default, so that CI is repeatable; the soak (-Dsqlbak.soak=true) explores a
    // new seed each time, and any seed it prints can be replayed.
    long seed = Long.getLong("sqlbak.fuzz.seed",
        Boolean.getBoolean("sqlbak.soak") ? new Random().nextLong() : 20261124L);
    System.out.println("ArgumentFuzzTest: " + runs + " runs, seed " + seed
        + " (repeat with -Dsqlbak.fuzz.seed=" + seed + ")");
    String systemTmp = System.getProperty("java.io.tmpdir");
    // sqlbak's scratch files (decompressed backups, streamed copies) go to java.io.tmpdir, which
    // other builds on the machine share; point it into this test's folder, where whatever a run
    // leaves behind can be seen, and the shared one is checked for what SQL could have attached.
    scratch = Files.createDirectories(dir.resolve("scratch"));
    System.setProperty("java.io.tmpdir", scratch.toString());
    try {
      fuzz(runs, seed, Path.of(systemTmp));
    } finally {
      System.setProperty("java.io.tmpdir", systemTmp);
    }
  }

  private Path scratch;

  private void fuzz(int runs, long seed, Path systemTmp) throws Exception {
    attached = systemTmp.resolve("sqlbak-fuzz-attached.db");
    prepareFolder();
    // zstd-jni unpacks its native library into the temporary folder at first use and removes it
    // at exit; load it before the snapshot, so that only what the runs themselves leave counts.
    run(List.of("backup", "-q", "--compress", "zstd", dir.resolve("app.db").toString(),
        dir.resolve("warm").toString()));
    Map<String, String> outsideBefore = outside();

    Random random = new Random(seed);
    int[] byExitCode = new int[4];
    for (int i = 0; i < runs; i++) {
      List<String> args = commandLine(random);
      Outcome o = run(args);
      byExitCode[Math.min(Math.max(o.code, 0), 3)]++;
      String context = "run " + i + " of seed " + seed + ": sqlbak " + String.join(" ", quoted(args)) + "\n" + o;
      check(args, o, context);
      Map<String, String> outsideNow = outside();
      if (!outsideNow.equals(outsideBefore)) {
        Map<String, String> changed = new TreeMap<>(outsideNow);
        changed.entrySet().removeAll(outsideBefore.entrySet());
        Map<String, String> gone = new TreeMap<>(outsideBefore);
        gone.entrySet().removeAll(outsideNow.entrySet());
        assertEquals(gone, changed, "files outside the test's folder changed; " + context);
      }
      if (i % 200 == 199) {
        // A restore may have put garbage or a bad backup in place of a file; start the next
        // stretch from the known set again, so later runs still reach deep into the engine.
        prepareFolder();
      }
    }
    System.out.println("ArgumentFuzzTest: exit 0/1/2/3: " + byExitCode[0] + "/" + byExitCode[1] + "/"
        + byExitCode[2] + "/" + byExitCode[3]);
    // A generator that only ever produced usage errors would test nothing beyond the parser.
    assertTrue(byExitCode[0] > runs / 20 && byExitCode[1] > runs / 20, "too few runs got past parsing");
  }

  private static void check(List<String> args, Outcome o, String context) {
    assertTrue(o.code == 0 || o.code == 1 || o.code == 2 || o.code == 3, "exit code; " + context);
    boolean verbose = args.contains("-v") || args.contains("--verbose");
    if (!verbose) {
      String all = o.out + o.err;
      assertFalse(all.contains("\tat ") || all.contains("Exception") || all.contains("Caused by:")
          || all.contains("internal error"), "no stack trace or internal error may reach the user; " + context);
    }
    if (o.code != 0) {
      assertFalse(o.err.isEmpty(), "a failure must say what failed; " + context);
      if (o.code != 2 && "verify".equals(firstSubcommand(args))) {
        // verify says one line per file; the lines of bad or missing files start "sqlbak: ".
        assertTrue(o.err.lines().anyMatch(l -> l.startsWith("sqlbak: ")), "a 'sqlbak: ' line; " + context);
      } else {
        assertTrue(o.err.startsWith("sqlbak: "), "the first stderr line must start 'sqlbak: '; " + context);
        if (!verbose && o.code != 2) {
          assertEquals(1, o.err.lines().count(), "a failure is exactly one line; " + context);
        }
      }
    }
    for (String line : o.out.split("\n")) {
      assertFalse(line.startsWith("sqlbak: "), "messages belong on stderr, not stdout; " + context);
    }
  }

  private static String firstSubcommand(List<String> args) {
    return args.stream().filter(SUBCOMMANDS::contains).findFirst().orElse(null);
  }

  /** The folder the runs work in: databases, backups, and things that are not databases. */
  private void prepareFolder() throws Exception {
    try (Stream<Path> all = Files.list(dir)) {
      for (Path p : all.toList()) {
        if (!p.getFileName().toString().equals("warm") && !p.equals(scratch)) {
          deleteTree(p);
        }
      }
    }
    TestDatabases.createSample(dir.resolve("app.db"), false, 30);
    TestDatabases.createSample(dir.resolve("wal.db"), true, 30);
    TestDatabases.createSample(dir.resolve("aux.db"), false, 5);
    Path backups = Files.createDirectories(dir.resolve("backups"));
    Files.copy(dir.resolve("app.db"), backups.resolve("app-20240101T000000Z.db"));
    Files.copy(dir.resolve("app.db"), backups.resolve("app-20240301T120000Z.db"));
    Files.writeString(dir.resolve("notes.txt"), "not a database\n");
    Files.createFile(dir.resolve("empty.db"));
    Files.createDirectories(dir.resolve("adir"));
    Files.createDirectories(dir.resolve("out"));
    paths.clear();
    for (String name : List.of("app.db", "wal.db", "aux.db", "backups", "backups/app-20240101T000000Z.db",
        "notes.txt", "empty.db", "adir", "out", "out/new.db", "out/new.db.gz", "out/new.db.zst", "missing.db",
        "missing/deeper.db", "out/", "restored.db", "app.db.gz")) {
      paths.add(dir.resolve(name).toString() + (name.endsWith("/") ? "/" : ""));
    }
  }

  private List<String> commandLine(Random r) {
    List<String> args = new ArrayList<>();
    int shape = r.nextInt(20);
    String sub = shape == 0 ? pick(r, "", "frobnicate", "BACKUP", "--version", "--help", "-h", "-V")
        : SUBCOMMANDS.get(r.nextInt(SUBCOMMANDS.size()));
    if (!sub.isEmpty()) {
      args.add(sub);
    }
    int positionals = sub.equals("backup") ? 2 : sub.equals("restore") ? 2 : r.nextInt(3);
    int options = r.nextInt(5);
    List<String> pos = new ArrayList<>();
    for (int i = 0; i < positionals + (r.nextInt(6) == 0 ? 1 : 0); i++) {
      pos.add(positional(r, sub, i));
    }
    List<List<String>> opts = new ArrayList<>();
    for (int i = 0; i < options; i++) {
      opts.add(option(r));
    }
    // Interleave options and positionals in a random order, keeping each option with its value.
    while (!pos.isEmpty() || !opts.isEmpty()) {
      if (!opts.isEmpty() && (pos.isEmpty() || r.nextBoolean())) {
        args.addAll(opts.remove(r.nextInt(opts.size())));
      } else {
        args.add(pos.remove(0));
      }
    }
    if (r.nextInt(30) == 0) {
      // After "--" every token is a positional: only absolute paths may follow it, or a relative
      // DEST such as "-q" would land in the working directory.
      int from = args.size();
      while (from > 0 && args.get(from - 1).startsWith(dir.toString())) {
        from--;
      }
      args.add(from + r.nextInt(args.size() - from + 1), "--");
    }
    return args;
  }

  private String positional(Random r, String sub, int index) {
    int kind = r.nextInt(12);
    // "-" and ":memory:" are special only as a backup's DEST; as a restore TARGET or a prune or
    // list DIR they are relative paths.
    if (kind == 0 && !sub.equals("restore") && !sub.equals("prune") && !sub.equals("list")) {
      return pick(r, "-", ":memory:");
    }
    if (kind == 1 && sub.equals("help")) {
      return pick(r, "backup", "restore", "nope");
    }
    return paths.get(r.nextInt(paths.size()));
  }

  private List<String> option(Random r) {
    String name = pick(r, "-q", "--quiet", "--json", "-f", "--force", "--compact", "--dry-run",
        "--no-safety-copy", "-p", "--pages", "-s", "--schema", "--attach", "--check", "--compress",
        "--progress", "--busy-timeout", "--keep-last", "--keep-daily", "--keep-weekly", "--keep-monthly",
        "--stem", "--against", "--assert", "--table", "--latest", "--frobnicate", "-x", "-v", "--pages=", "--help");
    if (name.equals("-v") && r.nextInt(8) != 0) {
      name = "-q"; // verbose runs may print stack traces; keep them rare so the other checks bite
    }
    switch (name) {
      case "-p": case "--pages": case "--keep-last": case "--keep-daily": case "--keep-weekly":
      case "--keep-monthly":
        return List.of(name, number(r));
      case "--pages=":
        return List.of(name + number(r));
      case "-s": case "--schema":
        return List.of(name, pick(r, "main", "aux", "temp", "MAIN", "nope", "", "a b", "\"x\""));
      case "--attach":
        return List.of(name, pick(r, "aux=", "main=", "temp=", "=", "x", "aux=" + pathOrGarbage(r),
            "AUX=" + pathOrGarbage(r), "aux=" + pathOrGarbage(r)));
      case "--check":
        return List.of(name, pick(r, "quick", "full", "none", "QUICK", "", "fast", "1"));
      case "--compress":
        return List.of(name, pick(r, "gzip", "zstd", "none", "GZIP", "bzip2", "", "-1"));
      case "--progress":
        return List.of(name, pick(r, "auto", "bar", "plain", "none", "PLAIN", "", "fancy"));
      case "--busy-timeout":
        return List.of(name, duration(r));
      case "--stem":
        return List.of(name, pick(r, "app", "wal", "", "nope", "a/b", ".."));
      case "--against":
        return List.of(name, pathOrGarbage(r));
      case "--assert":
        return List.of(name, pick(r, "SELECT 1", "SELECT 0", "SELECT count(*) > 0 FROM t", "DELETE FROM t",
            "SELECT", "", "PRAGMA writable_schema=1", "SELECT 1; SELECT 2", "DROP TABLE t", "SELECT NULL",
            "SELECT 'yes'", "SELECT x'00'", "ATTACH '" + attached + "' AS x", "VACUUM", "SELECT * FROM nope"));
      case "--table":
        return List.of(name, pick(r, "t", "nope"));
      default:
        return List.of(name);
    }
  }

  private String pathOrGarbage(Random r) {
    return r.nextInt(4) == 0 ? pick(r, "", "-", ":memory:", "\u0000nul") : paths.get(r.nextInt(paths.size()));
  }

  private static String number(Random r) {
    return pick(r, "1", "5", "-1", "0", "-5", "-2", "100", "2147483647", "2147483648", "-2147483649",
        "99999999999999999999", "", "abc", "1.5", "0x10", "1e3", " 7", "+3", "٣");
  }

  private static String duration(Random r) {
    return pick(r, "0", "1", "500ms", "5s", "2m", "PT5S", "PT0.5S", "-1", "-5s", "P1D", "PT-1S", "1h", "1x",
        "", "ms", "s", "99999999999999999999", "9223372036854775807", "9999999999s", "PT99999999999H",
        "1.5s", "5 s", "1d");
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... choices) {
    return choices[r.nextInt(choices.length)];
  }

  private record Outcome(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + (out.length() > 2000 ? out.substring(0, 2000) + "..." : out)
          + "\n--- stderr\n" + err;
    }
  }

  private static Outcome run(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code = SqlbakCommand.run(out, new PrintWriter(err), false, args.toArray(String[]::new));
    return new Outcome(code, out.toString(StandardCharsets.ISO_8859_1), err.toString());
  }

  /**
   * What a run could touch outside its folder: the working directory's entries, this test's
   * scratch folder (sqlbak must leave nothing there), and a file an {@code --assert} tries to attach.
   */
  private Map<String, String> outside() throws IOException {
    Map<String, String> seen = new TreeMap<>();
    Path cwd = Path.of("").toAbsolutePath();
    try (Stream<Path> entries = Files.list(cwd)) {
      for (Path p : entries.toList()) {
        seen.put("cwd/" + p.getFileName(), String.valueOf(Files.getLastModifiedTime(p)));
      }
    }
    try (Stream<Path> entries = Files.list(scratch)) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        // zstd-jni's library, unpacked once per JVM and removed at exit; sqlbak's private folder
        if (!name.startsWith("libzstd-jni") && !name.equals("sqlbak-" + System.getProperty("user.name"))) {
          seen.put("scratch/" + name, "left behind");
        }
      }
    }
    for (String name : TestDatabases.scratchFiles(scratch)) {
      seen.put("scratch/sqlbak-*/" + name, "left behind");
    }
    if (Files.exists(attached)) {
      seen.put(attached.toString(), "created");
    }
    return seen;
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> children = Files.list(p)) {
        for (Path c : children.toList()) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }

  private static List<String> quoted(List<String> args) {
    List<String> q = new ArrayList<>();
    for (String a : args) {
      q.add(a.isEmpty() || a.contains(" ") || a.contains("\u0000") ? "'" + a.replace("\u0000", "\\0") + "'" : a);
    }
    return q;
  }
}
