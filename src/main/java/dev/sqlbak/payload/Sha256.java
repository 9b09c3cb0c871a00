package dev.sqlbak.payload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the hash every backup's {@code .sha256} sidecar holds, of files and channels. */
public final class Sha256 {
  private static final int BUFFER = 1 << 20;

  private Sha256() {}

  /** A fresh SHA-256 digest. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The hex SHA-256 of {@code file}'s bytes. */
  public static String of(Path file) throws IOException {
    try (FileChannel in = FileChannel.open(file)) {
      return of(in);
    }
  }

  /** The hex SHA-256 of everything readable through {@code in} from its start; {@code in} stays open. */
  public static String of(FileChannel in) throws IOException {
    MessageDigest digest = digest();
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    for (long at = 0; ; ) {
      buffer.clear();
      int n = in.read(buffer, at);
      if (n < 0) {
        break;
      }
      digest.update(buffer.array(), 0, n);
      at += n;
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
