package dev.sqlbak.e2e;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Launches one of the tests' helper programs (a writer, a reader, a lock holder) in a JVM of its own. */
public final class HelperJvm {
  private HelperJvm() {}

  /**
   * A process builder running {@code main} with {@code args} under this JVM's java, with the
   * tests' classes and sqlite-jdbc on its class path, {@code jvmOptions} before the class name and
   * its stderr going to the test's.
   */
  public static ProcessBuilder of(Class<?> main, List<String> jvmOptions, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = String.join(File.pathSeparator, codeSource(main), codeSource(org.sqlite.JDBC.class),
        System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
  }

  /**
   * As {@link #of}, but with the older SQLite that many applications still run (see the pom's
   * neighbour-sqlite execution) instead of sqlbak's own driver: for neighbours whose behaviour
   * differs between SQLite versions, such as the checkpoint a last connection's close makes.
   */
  public static ProcessBuilder withOlderSqlite(Class<?> main, List<String> jvmOptions, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar = System.getProperty("sqlbak.neighbourSqlite");
    if (jar == null || !new File(jar).isFile()) {
      throw new IllegalStateException("the older sqlite-jdbc is missing (" + jar + "): run the tests through Maven");
    }
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", codeSource(main) + File.pathSeparator + jar, main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
  }

  private static String codeSource(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (Exception e) {
      throw new IllegalStateException("cannot locate the classes of " + c, e);
    }
  }
}
