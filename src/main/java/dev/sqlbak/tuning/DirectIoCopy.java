package dev.sqlbak.tuning;

import com.sun.nio.file.ExtendedOpenOption;
import dev.sqlbak.payload.Sha256;
import dev.sqlbak.storage.DataMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the file to publish from a finished copy with O_DIRECT, hashing it on the way, so that
 * its bytes reach the disk without the page cache's writeback.
 *
 * <p>Why a second copy: SQLite writes its copy through the page cache, and the kernel's writeback
 * of a file being written beside a live database makes that database's committing writers wait
 * (measured with a WAL-mode writer and 1 GiB written at sqlbak's pace: 0.65-0.8 s of commits
 * slower than 2 ms, however often the copy was flushed, against 12-48 ms with O_DIRECT writes).
 * So the copy SQLite writes and checks stays in memory, never flushed, and is deleted once this
 * class has written the file to publish; an unlinked file's dirty pages are dropped, not written.
 * That holds only while the kernel leaves the copy alone: {@link #open} refuses when the copy
 * would push the machine's dirty memory towards the level where background writeback starts, or
 * when the folder lacks room for both files, and the caller then writes the copy the old way.
 */
public final class DirectIoCopy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectIoCopy.class);
  /**
   * 256 KiB per write. Each write occupies the disk whole, and an application's fsync that comes
   * meanwhile waits for it: with a WAL writer committing back to back, the share of its commits
   * slower than 0.45 ms (twice its quiet p99) while the copy was written fell from 4-26 % with
   * 1 MiB writes to 1.5-2.6 % with 256 KiB (and 8 MiB writes made its p99 3.8 ms). A GiB took
   * 1.06-1.17 s against 0.97-1.0 s with 1 MiB, the hashing overlapped; 128 KiB writes cost the
   * CPU more (1.7-3.4 s). Pacing the writes helped less than their size.
   */
  static final int CHUNK = 256 << 10;
  /** Room kept free beside the two files, for the sidecar, the folder and the filesystem's own use. */
  private static final long SPARE_BYTES = 64L << 20;
  private static final Set<String> IN_MEMORY = Set.of("tmpfs", "ramfs");

  private final Path file;
  private final FileChannel channel;
  private final int alignment;

  private DirectIoCopy(Path file, FileChannel channel, int alignment) {
    this.file = file;
    this.channel = channel;
    this.alignment = alignment;
  }

  /**
   * Creates {@code file} for O_DIRECT writes of a copy of at most {@code bytes}, or returns null
   * (leaving nothing behind) when that would not spare the writers: the copy would not stay
   * unwritten in memory, the folder has no room for both files, it is in memory already (tmpfs,
   * where O_DIRECT is emulated and slower), or the filesystem refuses O_DIRECT.
   */
  public static DirectIoCopy open(Path file, long bytes, DataMode mode) {
    if (!PageCacheRoom.holdsUnwritten(bytes)) {
      LOG.debug("writing the copy through the page cache: {} bytes would start the kernel's writeback", bytes);
      return null;
    }
    Path folder = file.getParent();
    try {
      FileStore store = Files.getFileStore(folder);
      if (IN_MEMORY.contains(store.type())) {
        LOG.debug("writing the copy through the page cache: {} is a {}", folder, store.type());
        return null;
      }
      if (store.getUsableSpace() < 2 * bytes + SPARE_BYTES) {
        LOG.debug("writing the copy through the page cache: no room for two copies of {} bytes in {}",
            bytes, folder);
        return null;
      }
    } catch (IOException e) {
      LOG.debug("writing the copy through the page cache: cannot read the filesystem of {}", folder, e);
      return null;
    }
    return create(file, mode);
  }

  /** Creates {@code file} with {@code mode} for O_DIRECT writes, or returns null if the filesystem refuses them. */
  static DirectIoCopy create(Path file, DataMode mode) {
    FileChannel channel = null;
    try {
      long alignment = Files.getFileStore(file.getParent()).getBlockSize();
      if (Long.bitCount(alignment) != 1 || alignment > CHUNK) {
        LOG.debug("writing the copy through the page cache: block size {}", alignment);
        return null;
      }
      channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          ExtendedOpenOption.DIRECT), mode.attributes());
      LOG.debug("the copy stays in memory; {} is written with O_DIRECT", file);
      return new DirectIoCopy(file, channel, (int) alignment);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("writing the copy through the page cache: O_DIRECT refused in {}", file.getParent(), e);
      if (channel != null) {
        closeQuietly(channel);
      }
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temporary file: the destination's clean-up removes it
      }
      return null;
    }
  }

  /** The file being written, to publish once {@link #copyFrom} has returned. */
  public Path file() {
    return file;
  }

  /**
   * Writes everything readable through {@code in} into this file and returns its SHA-256 in hex. Reading and
   * hashing one chunk overlaps writing the one before on a second thread: the writes wait on the
   * disk, the hashing on the CPU.
   */
  public String copyFrom(FileChannel in) throws IOException {
    MessageDigest digest = Sha256.digest();
    List<ByteBuffer> buffers = List.of(aligned(), aligned());
    byte[] bytes = new byte[CHUNK];
    ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sqlbak-direct-write");
      t.setDaemon(true);
      return t;
    });
    // {@code in} belongs to the caller, who closes it only after the check's connection to the copy.
    try {
      Future<?> pending = null;
      long length = 0;
      for (int k = 0; ; k ^= 1) {
        ByteBuffer buffer = buffers.get(k);
        buffer.clear();
        while (buffer.hasRemaining() && in.read(buffer, length + buffer.position()) >= 0) {
          // fill the whole chunk: only the last one may be short
        }
        int n = buffer.position();
        buffer.flip();
        // Hashed from a heap array: MessageDigest takes a direct buffer 4 KiB at a time through
        // a loop that runs interpreted at first (2.5 s for 1 GiB in a fresh JVM, against 0.8 s).
        buffer.get(0, bytes, 0, n);
        digest.update(bytes, 0, n);
        // O_DIRECT writes whole blocks: the last one is padded here and the file cut back below.
        int padded = (n + alignment - 1) / alignment * alignment;
        buffer.limit(padded);
        for (int i = n; i < padded; i++) {
          buffer.put(i, (byte) 0);
        }
        await(pending);
        long at = length;
        pending = n == 0 ? null : writer.submit(() -> writeFully(buffer, at));
        length += n;
        if (n < CHUNK) {
          break;
        }
      }
      await(pending);
      if (channel.size() != length) {
        channel.truncate(length);
      }
    } finally {
      writer.shutdownNow();
      close();
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private ByteBuffer aligned() {
    return alignedChunk(ByteBuffer.allocateDirect(CHUNK + alignment), alignment);
  }

  /**
   * The first {@link #CHUNK} bytes of {@code raw} (at least CHUNK + alignment bytes long) that start
   * on an {@code alignment} boundary. Not the whole aligned slice: when {@code raw} itself starts on
   * a boundary, that slice is a block longer than CHUNK, and a chunk that long overran the hashing
   * array (a backup failed with IndexOutOfBoundsException in one benchmark run).
   */
  static ByteBuffer alignedChunk(ByteBuffer raw, int alignment) {
    return raw.alignedSlice(alignment).slice(0, CHUNK);
  }

  private Void writeFully(ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
    return null;
  }

  private void await(Future<?> write) throws IOException {
    if (write == null) {
      return;
    }
    try {
      write.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        throw (IOException) e.getCause();
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while writing " + file);
    }
  }

  /** Closes the O_DIRECT descriptor; the file stays for the caller to publish or remove. */
  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing an O_DIRECT descriptor", e);
    }
  }
}
