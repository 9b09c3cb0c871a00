package dev.sqlbak.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a database file is shorter than the size its own header names: a copy or a stream cut
 * short, told as such instead of by SQLite's general "disk image is malformed".
 */
final class HeaderLength {
  private static final int HEADER_BYTES = 100;

  private HeaderLength() {}

  /**
   * The problem with {@code database} if it is shorter than its header's page count times its page
   * size; empty if it is not, or if the header does not say (not a database, or a count that an old
   * writer left stale: SQLite trusts it only when the "version valid for" field matches the change
   * counter). Read before any SQLite connection has the file open.
   */
  static Optional<String> truncation(Path database) throws IOException {
    byte[] header;
    long size;
    try (InputStream in = Files.newInputStream(database)) {
      header = in.readNBytes(HEADER_BYTES);
      size = Files.size(database);
    }
    if (header.length < HEADER_BYTES || !new String(header, 0, 15, java.nio.charset.StandardCharsets.US_ASCII)
        .equals("SQLite format 3")) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(header);
    int rawPageSize = Short.toUnsignedInt(b.getShort(16));
    long pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
    long pages = Integer.toUnsignedLong(b.getInt(28));
    boolean countValid = b.getInt(92) == b.getInt(24);
    if (pageSize < 512 || Long.bitCount(pageSize) != 1 || !countValid || pages == 0) {
      return Optional.empty();
    }
    long named = pages * pageSize;
    return size >= named ? Optional.empty()
        : Optional.of("truncated: " + size + " of the " + named + " bytes its header names (a copy or a stream cut"
            + " short?)");
  }
}
