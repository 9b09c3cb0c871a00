package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.TestAgeKeys;
import dev.sqlbak.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built {@code sqlbak} loads the age library only when keys are given: runs without them
 * (most runs) pay nothing for it, as the class-load log of the JVM shows.
 */
class AgeLoadingIT {
  @TempDir Path dir;

  private String classesLoadedBy(String name, String... args) throws Exception {
    Path log = dir.resolve(name + "-classes.log");
    Map<String, String> env = new HashMap<>();
    // In SQLBAK_JAVA_OPTS, which also turns the class-data-sharing archive off: the archive's
    // background training run (which runs encrypted backups) would inherit JAVA_TOOL_OPTIONS and
    // write its classes into the same log.
    env.put("SQLBAK_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
    Sqlbak.Result r = Sqlbak.runWithEnvironment(dir, env, args);
    assertEquals(0, r.exitCode(), r.describe());
    String loaded = Files.readString(log);
    assertTrue(loaded.contains("dev.sqlbak.cli.SqlbakCommand"), "the log lists the classes loaded");
    return loaded;
  }

  @Test
  void runsWithoutKeysNeverLoadTheAgeLibraryAndAnEncryptedBackupDoes() throws Exception {
    TestDatabases.createSample(dir.resolve("app.db"), false, 50);
    Files.createDirectory(dir.resolve("out"));
    TestAgeKeys key = TestAgeKeys.in(dir, "k.key");

    String[][] plainRuns = {
        {"backup", "-q", "--compress", "zstd", "app.db", "plain.db"},
        {"verify", "plain.db.zst"},
        {"info", "plain.db.zst"},
        {"restore", "-q", "plain.db.zst", "restored.db"},
        {"backup", "-q", "app.db", "out/"},
        {"list", "out/"}};
    for (int i = 0; i < plainRuns.length; i++) {
      String loaded = classesLoadedBy("plain" + i, plainRuns[i]);
      assertFalse(loaded.contains("com.exceptionfactory"), String.join(" ", plainRuns[i]) + " loaded the age library");
      for (String ageClass : new String[] {"AgeEncryption", "AgeDecryption", "KeyPairFile"}) {
        assertFalse(loaded.contains("dev.sqlbak.age." + ageClass), String.join(" ", plainRuns[i]) + " loaded " + ageClass);
      }
    }
    String encrypted = classesLoadedBy("encrypted", "backup", "-q", "-r", key.recipient(), "app.db", "secret.db");
    assertTrue(encrypted.contains("com.exceptionfactory.jagged.framework.stream.EncryptingChannel"),
        "the same log shows the library when a backup is encrypted");
  }
}
