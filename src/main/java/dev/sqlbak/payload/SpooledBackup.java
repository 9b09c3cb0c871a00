package dev.sqlbak.payload;

import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.DataMode;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;

/**
 * Reads a backup that arrives as a stream (stdin, a pipe, a FIFO) into a private scratch file, so
 * that SQLite can open it: a stream cannot be sized, sought in or read twice. The compression is
 * told by the first bytes, as for files; the scratch file is owner-only, in {@link
 * ReadableBackup#scratchFolder()}, and removed when the returned backup is closed or when SIGINT or
 * SIGTERM ends the run (it is an {@link AtomicDestination}'s file, which the shutdown hook
 * removes).
 */
public final class SpooledBackup {
  private static final int BUFFER = 1 << 16;

  private SpooledBackup() {}

  /**
   * Reads {@code in} to its end into a scratch file, decompressing it if its first bytes say it is
   * compressed, and returns it opened. An empty stream gives an empty file, which the backup's check
   * finds bad, as any 0-byte backup.
   *
   * @throws ReadableBackup.CorruptCompression if the compressed data is damaged or cut short
   * @throws StreamFailure if reading the stream itself failed
   * @throws IOException if the scratch file could not be written (a full disk)
   */
  public static ReadableBackup spool(InputStream in) throws IOException {
    Recording raw = new Recording(in);
    AtomicDestination scratch = AtomicDestination.create(ReadableBackup.scratchFolder(), DataMode.OWNER_ONLY);
    try {
      byte[] head = raw.readNBytes(Compression.HEAD_BYTES);
      Compression compression = Compression.ofHead(head, head.length);
      InputStream whole = new SequenceInputStream(new ByteArrayInputStream(head), raw);
      try (OutputStream out = Files.newOutputStream(scratch.file())) {
        copy(compression, whole, raw, out);
      }
      return new ReadableBackup(scratch.file(), compression, scratch);
    } catch (IOException | RuntimeException e) {
      scratch.close();
      if (raw.failure != null) {
        throw new StreamFailure(raw.failure);
      }
      throw e;
    }
  }

  private static void copy(Compression compression, InputStream whole, Recording raw, OutputStream out)
      throws IOException {
    InputStream data;
    try {
      data = compression.decompressing(whole);
    } catch (IOException | RuntimeException e) {
      throw corrupt(compression, raw, e);
    }
    byte[] buffer = new byte[BUFFER];
    while (true) {
      int n;
      try {
        n = data.read(buffer);
      } catch (IOException | RuntimeException e) {
        throw corrupt(compression, raw, e);
      }
      if (n < 0) {
        return;
      }
      out.write(buffer, 0, n); // a failure here is the scratch disk's, not the backup's
    }
  }

  /** A failed read of decompressed data: the stream's own failure if it had one, else damaged data. */
  private static IOException corrupt(Compression compression, Recording raw, Exception e) {
    if (raw.failure != null) {
      return raw.failure;
    }
    return new ReadableBackup.CorruptCompression(compression, e);
  }

  /** Reading the stream itself failed (not its content): the backup may be fine, the pipe was not. */
  public static final class StreamFailure extends IOException {
    private static final long serialVersionUID = 1L;

    StreamFailure(IOException cause) {
      super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
    }
  }

  /**
   * The raw stream, remembering whether a read of it failed: a decompressor reports its source's
   * failure and its own damaged-data verdict alike, and only the second one makes the backup bad.
   */
  private static final class Recording extends FilterInputStream {
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
