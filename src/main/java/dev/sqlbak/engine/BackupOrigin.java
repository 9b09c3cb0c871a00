package dev.sqlbak.engine;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a restore's backup comes from: a file named by its path, or a stream the caller hands over
 * (the CLI's standard input for {@code restore -}); the engine never opens standard input itself.
 */
public sealed interface BackupOrigin permits BackupOrigin.File, BackupOrigin.Stream {

  /** How messages and results name the backup. */
  Path shownAs();

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
    public Path shownAs() {
      return path;
    }
  }

  /**
   * A backup's bytes as a stream, plain or compressed, read to its end once.
   *
   * @param bytes the stream
   * @param shownAs how messages name it
   */
  record Stream(InputStream bytes, Path shownAs) implements BackupOrigin {
    public Stream {
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(shownAs, "shownAs");
    }
  }
}
