package dev.sqlbak.engine;

import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a restore's backup comes from: a file named by its path, an object in S3, or a stream the
 * caller hands over (the CLI's standard input for {@code restore -}); the engine never opens
 * standard input itself.
 */
public sealed interface BackupOrigin permits BackupOrigin.File, BackupOrigin.Stream, BackupOrigin.Stored {

  /** How messages and results name the backup. */
  Location shownAs();

  /** The S3 object {@code location}, reached as {@code s3} says. */
  static BackupOrigin stored(S3Location location, S3Options s3) {
    return new Stored(location, s3);
  }

  /** A backup file; one that is not a regular file (a FIFO, {@code /dev/stdin} on a pipe) is read as a stream. */
  static BackupOrigin file(Path path) {
    return new File(path);
  }

  /** The bytes of standard input, which the caller owns (and does not close by handing it over). */
  static BackupOrigin standardInput(InputStream in) {
    // The name under which the user's system knows it: messages then read as for any file, and a
    // TARGET that standard input was redirected from is caught as "the backup itself".
    return new Stream(in, Path.of("/dev/stdin"));
  }

  /**
   * A backup file as the user named it.
   *
   * @param path the file
   */
  record File(Path path) implements BackupOrigin {
    public File {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public Location shownAs() {
      return Location.of(path);
    }
  }

  /**
   * A backup's bytes as a stream, plain or compressed, read to its end once.
   *
   * @param bytes the stream
   * @param path how messages name it
   */
  record Stream(InputStream bytes, Path path) implements BackupOrigin {
    public Stream {
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(path, "path");
    }

    @Override
    public Location shownAs() {
      return Location.of(path);
    }
  }

  /**
   * A backup kept as an object in S3, downloaded (with its sidecar) into a private scratch folder
   * before anything else happens.
   *
   * @param location the object
   * @param s3 how to reach S3
   */
  record Stored(S3Location location, S3Options s3) implements BackupOrigin {
    public Stored {
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(s3, "s3");
    }

    @Override
    public Location shownAs() {
      return location;
    }
  }
}
