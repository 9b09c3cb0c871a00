package dev.sqlbak.storage;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach S3 beyond what the AWS SDK's own chains say (credentials, region, {@code
 * AWS_ENDPOINT_URL} and {@code ~/.aws} are theirs): the command line's {@code --s3-*} options.
 *
 * @param endpoint {@code --s3-endpoint}: another S3-compatible service (MinIO, Ceph, Garage, R2, B2)
 * @param addressing how buckets are addressed
 * @param storageClass {@code --s3-storage-class}: the class new objects are stored in; empty for the bucket's default
 */
public record S3Options(Optional<URI> endpoint, Addressing addressing, Optional<String> storageClass) {
  /** How a request names its bucket. */
  public enum Addressing {
    /** The SDK's choice: virtual-hosted ({@code bucket.host}) for AWS, path style for an IP address. */
    AUTOMATIC,
    /** {@code --s3-path-style}: {@code host/bucket/key}, which most self-hosted stores need. */
    PATH_STYLE
  }

  public S3Options {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(addressing, "addressing");
    Objects.requireNonNull(storageClass, "storageClass");
  }

  public S3Options withStorageClass(Optional<String> newStorageClass) {
    return new S3Options(endpoint, addressing, newStorageClass);
  }

  /** No {@code --s3-*} option: everything as the SDK's chains and the environment say. */
  public static final S3Options DEFAULTS = new S3Options(Optional.empty(), Addressing.AUTOMATIC, Optional.empty());
}
