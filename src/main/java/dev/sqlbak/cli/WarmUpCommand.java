package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.engine.SampleDatabase;
import dev.sqlbak.engine.SqlbakException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sqlbak warm-up DIR} (hidden): runs each command once on a sample database in DIR, then
 * removes DIR. The launcher runs it once in the background with {@code -XX:ArchiveClassesAtExit},
 * so that later runs start from a class-data-sharing archive of the classes a real run loads.
 */
@Command(name = "warm-up", hidden = true, description = "Exercise every command on a sample database in DIR.")
final class WarmUpCommand implements Callable<Integer> {
  @Parameters(paramLabel = "DIR", description = "A folder that does not exist yet; removed afterwards.")
  Path dir;

  @Override
  public Integer call() throws IOException {
    try {
      // Only a folder made here is removed afterwards: never one that held anything before.
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw SqlbakException.failed("warm-up needs a folder that does not exist yet", dir,
          "it removes its folder afterwards");
    }
    try {
      Path sample = dir.resolve("sample.db");
      SampleDatabase.create(sample);
      String db = sample.toString();
      String out = dir.toString();
      PrintWriter none = new PrintWriter(Writer.nullWriter());
      int worst = 0;
      // An age key of the warm-up's own, so that encrypted runs start from the archive too.
      String key = dir.resolve("warm-up.key").toString();
      java.io.StringWriter publicKey = new java.io.StringWriter();
      worst = SqlbakCommand.run(new PrintWriter(publicKey), none, "keygen", key);
      String encrypted = dir.resolve("secret.db").toString();
      for (String[] args : new String[][] {
          {"backup", "-q", "--compress", "zstd", "--encrypt-to", publicKey.toString().strip(), db, encrypted},
          {"verify", "--identity", key, encrypted + ".zst.age"},
          {"restore", "-q", "--identity", key, encrypted + ".zst.age", dir.resolve("decrypted.db").toString()},
          {"backup", "-q", "--progress", "plain", db, dir.resolve("copy.db").toString()},
          {"backup", "--json", "--keep-last", "1", db, out},
          {"backup", "--compress", "gzip", "-q", db, dir.resolve("copy2.db").toString()},
          {"backup", "-q", db, ":memory:"},
          {"verify", "--json", "--against", db, dir.resolve("copy.db").toString()},
          {"info", "--json", db},
          {"restore", "-q", dir.resolve("copy.db").toString(), dir.resolve("restored.db").toString()},
          {"prune", "--keep-last", "1", "--dry-run", out},
          {"--help"}}) {
        worst = Math.max(worst, SqlbakCommand.run(none, none, args));
      }
      return worst == 0 ? ExitCode.OK.code() : ExitCode.FAILURE.code();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
