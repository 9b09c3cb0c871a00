package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * An S3 client built the one way sqlbak talks to S3, and the endpoint messages name when it cannot
 * be reached.
 *
 * <p>Timeouts: the client has no overall call timeout, because one request may carry a 64 MiB part
 * (or more) over a slow link; a stalled connection is caught by the socket timeout instead (no byte
 * for 60 s). Requests that carry no data get {@link #SMALL_REQUEST}, a bound on each attempt and on
 * the whole call, so that a server that accepts connections and never answers cannot hang a run.
 *
 * @param client the client
 * @param endpoint the endpoint as messages show it (the configured one, else AWS's for the region)
 */
public record S3Connection(S3Client client, String endpoint) {
  /** Attempts per request (the first and three retries): enough for a blip, short enough to fail in seconds. */
  static final int MAX_ATTEMPTS = 4;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

  /** Bounds for requests without a body of data: listings, HEAD, DELETE, create/abort of uploads. */
  static final AwsRequestOverrideConfiguration SMALL_REQUEST = AwsRequestOverrideConfiguration.builder()
      .apiCallAttemptTimeout(Duration.ofSeconds(30))
      .apiCallTimeout(Duration.ofSeconds(120))
      .build();

  /** For a signal handler: one short attempt, since the process is about to exit. */
  static final AwsRequestOverrideConfiguration URGENT_REQUEST = AwsRequestOverrideConfiguration.builder()
      .apiCallAttemptTimeout(Duration.ofSeconds(2))
      .apiCallTimeout(Duration.ofSeconds(3))
      .build();

  /** The region assumed for a configured endpoint when no chain names one: such services mostly ignore it. */
  private static final Region ENDPOINT_DEFAULT_REGION = Region.US_EAST_1;

  /**
   * A client for {@code options}, with credentials and region from the SDK's default chains
   * (environment, system properties, {@code ~/.aws}, web identity, container or instance).
   *
   * @param location what the client is for, as messages name it
   * @throws RemoteFailure if no region is configured and no endpoint either
   */
  public static S3Connection build(S3Options options, S3Location location) throws RemoteFailure {
    Optional<URI> endpoint = options.endpoint().or(S3Connection::endpointFromEnvironment);
    Region region = region(endpoint.isPresent(), location);
    S3ClientBuilder builder = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.builder()
            .connectionTimeout(CONNECT_TIMEOUT)
            .socketTimeout(SOCKET_TIMEOUT)
            .build())
        .region(region)
        // The SDK's default (CRC32 trailers on aws-chunked bodies) is refused by R2, B2 and older
        // MinIO; sqlbak sends Content-MD5 itself and checks the stored length after each upload.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .forcePathStyle(options.addressing() == S3Options.Addressing.PATH_STYLE)
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build())
            .build());
    options.endpoint().ifPresent(builder::endpointOverride);
    return new S3Connection(builder.build(), endpoint.map(URI::toString)
        .orElse("https://s3." + region.id() + ".amazonaws.com"));
  }

  private static Region region(boolean endpointConfigured, S3Location location) throws RemoteFailure {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      if (endpointConfigured) {
        return ENDPOINT_DEFAULT_REGION;
      }
      throw new RemoteFailure(RemoteFailure.Kind.CREDENTIALS, "no AWS region configured", location.toString(),
          "set AWS_REGION or region in ~/.aws/config", e);
    }
  }

  /** The endpoint the SDK itself takes from the environment, which the client then uses as is. */
  private static Optional<URI> endpointFromEnvironment() {
    for (String value : new String[] {System.getenv("AWS_ENDPOINT_URL_S3"), System.getenv("AWS_ENDPOINT_URL"),
        System.getProperty("aws.endpointUrl")}) {
      if (value != null && !value.isBlank()) {
        try {
          return Optional.of(URI.create(value.trim()));
        } catch (IllegalArgumentException e) {
          return Optional.empty(); // the SDK will refuse it in its own words
        }
      }
    }
    return Optional.empty();
  }
}
