package dev.sqlbak.storage;

import java.util.Objects;

/**
 * An object ({@code s3://bucket/key}) or a folder-like prefix ({@code s3://bucket/prefix/}, or the
 * whole bucket) in an S3 bucket. Pure data: nothing here touches the network or the AWS SDK.
 *
 * @param bucket the bucket's name
 * @param key the object's key or the prefix, without a leading slash; empty for the whole bucket
 */
public record S3Location(String bucket, String key) implements Location {
  public S3Location {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("an s3:// location needs a bucket, as in s3://my-bucket/backups/");
    }
  }

  /** Parses {@code s3://bucket/key}; repeated slashes after the bucket are kept, as S3 keeps them in keys. */
  public static S3Location parse(String text) {
    if (!text.startsWith(Location.S3_SCHEME)) {
      throw new IllegalArgumentException("not an s3:// location: " + text);
    }
    String rest = text.substring(Location.S3_SCHEME.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? new S3Location(rest, "") : new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** Whether this names a prefix by its form: the whole bucket, or a key ending in a slash. */
  public boolean namesPrefix() {
    return key.isEmpty() || key.endsWith("/");
  }

  /** This location taken as a prefix: its key with a trailing slash (empty for the whole bucket). */
  public S3Location asPrefix() {
    return namesPrefix() ? this : new S3Location(bucket, key + "/");
  }

  /** The prefix the object {@code key} names lies in (its "folder"). */
  public S3Location parent() {
    int slash = key.lastIndexOf('/', key.length() - 1);
    return new S3Location(bucket, slash < 0 ? "" : key.substring(0, slash + 1));
  }

  /** The last part of the key: the object's "file name" (empty for a prefix). */
  @Override
  public String fileName() {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  @Override
  public S3Location resolve(String name) {
    return new S3Location(bucket, asPrefix().key + name);
  }

  @Override
  public String toString() {
    return Location.S3_SCHEME + bucket + "/" + key;
  }
}
