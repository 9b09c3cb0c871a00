package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.S3Options;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 server for tests: S3Proxy in this JVM, holding its objects in memory, listening on a free
 * port of 127.0.0.1 and accepting AWS V2/V4 signatures of {@link #ACCESS_KEY}/{@link #SECRET_KEY}.
 *
 * <p>Code under test that uses the SDK's default chains finds the same credentials (and a region)
 * in the system properties {@code aws.accessKeyId}, {@code aws.secretAccessKey} and {@code
 * aws.region}, which {@link #start()} sets; a child process gets them from {@link
 * #credentialsEnvironment()}.
 */
public final class LocalS3Server implements AutoCloseable {
  /** The access key id every test server accepts. */
  public static final String ACCESS_KEY = "AKIDSQLBAKTEST";
  /** The secret key every test server accepts. */
  public static final String SECRET_KEY = "sqlbak-test-secret";
  /** The region the credentials come with; S3Proxy accepts any. */
  public static final String REGION = "us-east-1";

  static {
    // S3Proxy and its Jetty log at info; the tests' output stays for the tests' own failures.
    System.setProperty("org.slf4j.simpleLogger.log.org.gaul", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.jclouds", "error");
  }

  private final S3Proxy proxy;
  private final URI endpoint;
  private final S3Client client;

  private LocalS3Server(S3Proxy proxy, URI endpoint) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.client = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.builder().build())
        .region(Region.of(REGION))
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        // The tests' own set-up requests share the JDK's keep-alive pool with the refusals the
        // tests provoke, after which the server may close a connection the pool still offers
        // ("Error writing request body to server", seen once in three attempts under load).
        .overrideConfiguration(software.amazon.awssdk.core.client.config.ClientOverrideConfiguration.builder()
            .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(10).build())
            .build())
        .build();
  }

  /** A running server that accepts the test credentials; sets the system properties the SDK's chains read. */
  public static LocalS3Server start() throws Exception {
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    System.setProperty("aws.region", REGION);
    return start(SECRET_KEY);
  }

  /** A running server that accepts only {@code secret} with {@link #ACCESS_KEY}: for tests of rejected credentials. */
  static LocalS3Server start(String secret) throws Exception {
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(new TransientNio2BlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, secret)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        proxy.stop();
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(5);
    }
    return new LocalS3Server(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  /** Where the server listens: {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return endpoint;
  }

  /** Creates the bucket {@code name}. */
  public void createBucket(String name) {
    client.createBucket(r -> r.bucket(name));
  }

  /** A client of this server with the test credentials, for a test's own setup and assertions. */
  public S3Client client() {
    return client;
  }

  /** The options that make sqlbak talk to this server: its endpoint, path-style addressing. */
  public S3Options options() {
    return new S3Options(Optional.of(endpoint), S3Options.Addressing.PATH_STYLE, Optional.empty());
  }

  /**
   * The environment a child process (target/sqlbak) needs to reach this server with the SDK's
   * default chains, with instance metadata turned off; the endpoint itself goes in as an option.
   */
  public Map<String, String> credentialsEnvironment() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", REGION,
        "AWS_EC2_METADATA_DISABLED", "true");
  }

  @Override
  public void close() throws Exception {
    client.close();
    proxy.stop();
  }
}
