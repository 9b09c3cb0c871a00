package dev.sqlbak.cli;

import dev.sqlbak.storage.S3Options;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code --s3-*} options of the commands that take an {@code s3://} location; everything else
 * (credentials, region, {@code AWS_ENDPOINT_URL}) comes from the AWS SDK's chains, as for the aws CLI.
 */
final class S3Flags {
  @Option(names = "--s3-endpoint", paramLabel = "URL", converter = EndpointConverter.class,
      description = "An S3-compatible service's endpoint (MinIO, Ceph, Garage, R2, B2); default: AWS_ENDPOINT_URL,"
          + " ~/.aws/config, else AWS.")
  URI endpoint;

  @Option(names = "--s3-path-style",
      description = "Address buckets as https://host/bucket/ (most self-hosted stores need it).")
  boolean pathStyle;

  /** The options as the engine takes them. */
  S3Options options() {
    return new S3Options(Optional.ofNullable(endpoint),
        pathStyle ? S3Options.Addressing.PATH_STYLE : S3Options.Addressing.AUTOMATIC, Optional.empty());
  }
}
