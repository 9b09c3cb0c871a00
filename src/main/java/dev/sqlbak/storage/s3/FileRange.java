package dev.sqlbak.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * A stretch of a local file sent as one request body of known length (a whole small file, or one
 * part of a multipart upload): streamed from disk, never held in memory, and re-read from the
 * start if the SDK retries. Closing closes the stream the SDK was last given.
 *
 * <p>Not thread-safe: one request uses it at a time.
 */
final class FileRange implements ContentStreamProvider, AutoCloseable {
  private static final int BUFFER = 1 << 16;
  private final Path file;
  private final long offset;
  private final long length;
  private final BooleanSupplier aborted;
  private InputStream current;

  FileRange(Path file, long offset, long length) {
    this(file, offset, length, () -> false);
  }

  /**
   * A range whose body stops with an {@link AbortedException} once {@code aborted} says so:
   * a signal cannot stop the thread that sends it (it blocks in a socket write), but the request
   * then ends unfinished at its next read, and the store keeps nothing of a body cut short.
   */
  FileRange(Path file, long offset, long length, BooleanSupplier aborted) {
    this.file = file;
    this.offset = offset;
    this.length = length;
    this.aborted = aborted;
  }

  long length() {
    return length;
  }

  /** The base64 MD5 of the range, for Content-MD5: the store then refuses a body damaged on the way. */
  String md5Base64() throws IOException {
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
    byte[] buf = new byte[BUFFER];
    try (InputStream in = new RangeStream(() -> false)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md5.update(buf, 0, n);
      }
    }
    return Base64.getEncoder().encodeToString(md5.digest());
  }

  /** The range as a request body. */
  RequestBody body() {
    return RequestBody.fromContentProvider(this, length, "application/octet-stream");
  }

  @Override
  public InputStream newStream() {
    close();
    try {
      current = new RangeStream(aborted);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return current;
  }

  @Override
  public void close() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException e) {
        // a read-only stream: nothing was written that closing could lose
      }
      current = null;
    }
  }

  /** The range's bytes by positional reads, so that each stream starts at the range again. */
  private final class RangeStream extends InputStream {
    private final FileChannel channel;
    /** Only streams given to the SDK stop: the hash is taken before the request, which checks the flag itself. */
    private final BooleanSupplier stop;
    private long position = offset;

    RangeStream(BooleanSupplier stop) throws IOException {
      this.stop = stop;
      channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (stop.getAsBoolean()) {
        // The SDK's own "aborted", which it does not retry: a retry would only open another request to abandon.
        throw AbortedException.create("upload aborted: " + file);
      }
      long remaining = offset + length - position;
      if (remaining <= 0) {
        return -1;
      }
      int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)), position);
      if (n < 0) {
        throw new IOException("file shrank while being uploaded: " + file);
      }
      position += n;
      return n;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
