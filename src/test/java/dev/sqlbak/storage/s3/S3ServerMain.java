package dev.sqlbak.storage.s3;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * S3Proxy as a process of its own, for the benchmark (src/bench/bench.sh): a filesystem backend
 * under the folder given as the only argument (objects are files there, so uploads really reach a
 * disk), listening on a free port of 127.0.0.1 only, accepting AWS V2/V4 signatures of {@link
 * LocalS3Server#ACCESS_KEY}/{@link LocalS3Server#SECRET_KEY}. Prints {@code PORT n} on standard
 * output once it accepts requests, then serves until it is killed or the process that started it
 * is gone (checked every second, so that a benchmark killed half-way leaves no server behind).
 *
 * <p>Run with the test class path: {@code java -cp target/test-classes:$(cat cp.txt)
 * dev.sqlbak.storage.s3.S3ServerMain DIR}, where cp.txt is written by {@code ./mvnw -q -o
 * dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class S3ServerMain {
  private S3ServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: S3ServerMain DIR   (objects are kept as files under DIR)");
      System.exit(2);
    }
    // S3Proxy and Jetty log at info; only errors go to standard error.
    System.setProperty("org.slf4j.simpleLogger.log.org.gaul", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.jclouds", "error");
    Path root = Files.createDirectories(Path.of(args[0])).toAbsolutePath();
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(new FilesystemNio2BlobStore(root.toString()))
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, LocalS3Server.ACCESS_KEY, LocalS3Server.SECRET_KEY)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        System.err.println("S3ServerMain: S3Proxy did not start: " + proxy.getState());
        proxy.stop();
        System.exit(1);
      }
      Thread.sleep(5);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        proxy.stop();
      } catch (Exception e) {
        // exiting anyway
      }
    }));
    System.out.println("PORT " + proxy.getPort());
    System.out.flush();
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    while (parent.map(ProcessHandle::isAlive).orElse(true)) {
      Thread.sleep(1000);
    }
    System.exit(0);
  }
}
