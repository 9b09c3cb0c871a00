package dev.sqlbak;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test a {@code java.io.tmpdir} of its own (a fresh folder), so that what sqlbak left
 * in its scratch folder there can be looked at; the JVM's own is put back after the test.
 */
public final class OwnTmpdir implements BeforeEachCallback, AfterEachCallback {
  private String system;
  private Path dir;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    system = System.getProperty("java.io.tmpdir");
    dir = Files.createTempDirectory(Path.of(system), "own-tmpdir-");
    System.setProperty("java.io.tmpdir", dir.toString());
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    System.setProperty("java.io.tmpdir", system);
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** This test's temporary folder, where sqlbak's scratch folder is made. */
  public Path dir() {
    return dir;
  }
}
