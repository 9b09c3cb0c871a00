package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.S3Location;
import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One prefix of one bucket reached through one client: how the store's parts name keys, show
 * names in messages and turn the SDK's failures into sqlbak's.
 *
 * @param client the client
 * @param location the prefix ({@link S3Location#asPrefix()} form: empty or ending in '/')
 * @param endpoint the endpoint as messages show it
 */
record S3Prefix(S3Client client, S3Location location, String endpoint) {
  S3Prefix {
    location = location.asPrefix();
  }

  String bucket() {
    return location.bucket();
  }

  /** The key of {@code name} (a plain name or one of sqlbak's temporary names). */
  String key(String name) {
    return location.key() + BackupStore.requirePlainName(name);
  }

  /** {@code s3://bucket/prefix/name}. */
  String describe(String name) {
    return location.resolve(BackupStore.requirePlainName(name)).toString();
  }

  /** The failure {@code e} of {@code operation} on {@code name} in sqlbak's words. */
  IOException fail(SdkException e, S3Operation operation, String name) {
    return S3Errors.map(e, operation, describe(name), endpoint);
  }

  /** The failure {@code e} of {@code operation} on the prefix as a whole. */
  IOException failOnPrefix(SdkException e, S3Operation operation) {
    return S3Errors.map(e, operation, location.toString(), endpoint);
  }
}
