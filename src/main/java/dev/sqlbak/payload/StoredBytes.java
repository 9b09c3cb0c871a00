package dev.sqlbak.payload;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Turns a backup's bytes as stored into the database's bytes in one pass: decrypted if they are an
 * age file, then decompressed if they are gzip or zstd, each told by the first bytes, whatever the
 * name says. Nothing read is trusted before the end: the caller writes into a scratch file that it
 * removes when this fails.
 */
final class StoredBytes {
  private static final int BUFFER = 1 << 16;

  /** What the stored bytes turned out to be. */
  record Decoded(Compression compression, boolean encrypted) {}

  private StoredBytes() {}

  /**
   * Reads {@code stored} to its end and writes the database's bytes to {@code out}.
   *
   * @throws Decryption.IdentityMissing if the bytes are encrypted and {@code decryption} has no identity
   * @throws Decryption.WrongIdentity if no identity opens them
   * @throws Decryption.DamagedCiphertext if the encrypted data is damaged or cut short
   * @throws ReadableBackup.CorruptCompression if the compressed data is
   * @throws IOException if {@code stored} could not be read (its own failure, as thrown) or {@code
   *     out} not written
   */
  static Decoded decode(InputStream stored, Decryption decryption, OutputStream out) throws IOException {
    BufferedInputStream raw = new BufferedInputStream(stored, BUFFER);
    byte[] start = peek(raw, Decryption.HEAD_BYTES);
    boolean encrypted = Decryption.isAge(start, start.length);
    Recording plain = new Recording(encrypted ? decryption.decrypting(raw) : raw);
    BufferedInputStream bytes = new BufferedInputStream(plain, BUFFER);
    byte[] head = peek(bytes, Compression.HEAD_BYTES);
    Compression compression = Compression.ofHead(head, head.length);
    InputStream data;
    try {
      data = compression.decompressing(bytes);
    } catch (IOException | RuntimeException e) {
      throw failure(compression, plain, e);
    }
    byte[] buffer = new byte[BUFFER];
    while (true) {
      int n;
      try {
        n = data.read(buffer);
      } catch (IOException | RuntimeException e) {
        throw failure(compression, plain, e);
      }
      if (n < 0) {
        return new Decoded(compression, encrypted);
      }
      out.write(buffer, 0, n); // a failure here is the scratch disk's, not the backup's
    }
  }

  /** The first {@code n} bytes of {@code in} (fewer at its end), left to be read again. */
  static byte[] peek(BufferedInputStream in, int n) throws IOException {
    in.mark(n);
    byte[] head = in.readNBytes(n);
    in.reset();
    return head;
  }

  /**
   * A failed read of decompressed data: what reading the bytes under it met (the stream's own
   * failure, damaged encrypted data) if anything, else damaged compressed data.
   */
  private static IOException failure(Compression compression, Recording plain, Exception e) {
    if (plain.failure != null) {
      return plain.failure;
    }
    return new ReadableBackup.CorruptCompression(compression, e);
  }

  /** A stream that remembers its read failure, which a decompressor reports as its own. */
  static final class Recording extends FilterInputStream {
    IOException failure;

    Recording(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    /**
     * Only a hint, which the gzip reader asks for at the end of each member: a stream that cannot
     * tell (a FIFO opened through a channel says "Illegal seek") has nothing ready to say.
     */
    @Override
    public int available() {
      try {
        return super.available();
      } catch (IOException e) {
        return 0;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }
}
