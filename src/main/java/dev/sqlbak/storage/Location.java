package dev.sqlbak.storage;

import java.nio.file.Path;

/**
 * Where a command's backups are, as the user named it: a path on this machine, or an object or a
 * prefix in an S3 bucket. Its {@code toString()} is how messages and results show it.
 */
public sealed interface Location permits LocalPath, S3Location {
  /** The scheme that marks an S3 location. */
  String S3_SCHEME = "s3://";

  /**
   * The location {@code text} names: {@code s3://bucket/key} or {@code s3://bucket/prefix/}, else a
   * local path.
   *
   * @throws IllegalArgumentException if it starts with {@code s3://} but names no bucket
   */
  static Location parse(String text) {
    return text.startsWith(S3_SCHEME) ? S3Location.parse(text) : new LocalPath(Path.of(text));
  }

  /** The location of {@code name} inside this one, taken as a folder. */
  Location resolve(String name);

  /** The last part of the path or key: the file's name, as listings show it. */
  String fileName();

  /** The local path, for a location that is one. */
  static Location of(Path path) {
    return new LocalPath(path);
  }
}
