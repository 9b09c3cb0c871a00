package dev.sqlbak.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Copies a rollback-journal database file byte for byte into a new file, hashing the bytes as they
 * are written, while sqlbak's read transaction on the source keeps every writer out of the file.
 *
 * <p>In rollback-journal mode a writer must hold an EXCLUSIVE lock to change the database file, and
 * cannot get one while sqlbak's read transaction holds SHARED: during that transaction the file is
 * exactly the snapshot, and a plain copy of it is as consistent as the backup API's (SQLite's own
 * documentation allows copying a database file this way). It runs at file-copy speed instead of
 * page by page through two pagers, and the SHA-256 of the result comes for free on the other core.
 * WAL-mode files are not copied this way: their snapshot lives partly in the -wal file.
 *
 * <p>The channel on the source stays open until {@link #close()}, which the caller must delay until
 * after the read transaction ended: closing any descriptor of a file drops every POSIX lock the
 * process holds on it, SQLite's SHARED lock included.
 */
final class FileImageCopy implements AutoCloseable {
  private static final int BUFFER_BYTES = 1 << 20;
  private static final int BUFFERS = 4;
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private final FileChannel source;

  private FileImageCopy(FileChannel source) {
    this.source = source;
  }

  /** Opens {@code file} for reading; call only while the read transaction on it is held. */
  static FileImageCopy open(Path file) throws IOException {
    return new FileImageCopy(FileChannel.open(file, StandardOpenOption.READ));
  }

  /**
   * Writes the first {@code pageCount} pages to {@code target} (created new), reporting progress
   * every {@code pagesPerStep} pages, and returns the SHA-256 of what was written, in hex.
   */
  String copyTo(Path target, long pageSize, long pageCount, int pagesPerStep,
      SqliteDatabase.PageObserver observer) throws IOException {
    long total = pageSize * pageCount;
    long stepBytes = pagesPerStep < 0 ? total : Math.max(1, (long) pagesPerStep) * pageSize;
    BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    BlockingQueue<ByteBuffer> toHash = new ArrayBlockingQueue<>(BUFFERS + 1);
    for (int i = 0; i < BUFFERS; i++) {
      free.add(ByteBuffer.allocate(BUFFER_BYTES));
    }
    MessageDigest digest = BackupEngine.sha256Digest();
    CompletableFuture<Void> hashing = CompletableFuture.runAsync(() -> {
      try {
        for (ByteBuffer b = toHash.take(); b != END; b = toHash.take()) {
          digest.update(b.array(), 0, b.limit());
          free.put(b);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long done = 0;
      long nextReport = Math.min(total, stepBytes);
      while (done < total) {
        ByteBuffer b = take(free, hashing);
        b.clear();
        b.limit((int) Math.min(b.capacity(), Math.min(total - done, nextReport - done)));
        while (b.hasRemaining()) {
          int n;
          try {
            n = source.read(b, done + b.position());
          } catch (IOException e) {
            throw new SourceUnreadable(e.getMessage(), e);
          }
          if (n < 0) {
            throw new SourceUnreadable("the file ends at byte " + (done + b.position()) + " of "
                + total + " (" + pageCount + " pages)", null);
          }
        }
        b.flip();
        while (b.hasRemaining()) {
          out.write(b, done + b.position());
        }
        done += b.limit();
        b.rewind();
        toHash.put(b);
        if (done == nextReport) {
          observer.pages(done / pageSize, pageCount);
          nextReport = Math.min(total, nextReport + stepBytes);
        }
      }
      if (total == 0) {
        observer.pages(0, 0);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      toHash.offer(END);
    }
    try {
      hashing.join();
    } catch (CompletionException e) {
      throw new IOException("hashing the copy failed", e.getCause());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Reading the source failed (as opposed to writing the copy). */
  static final class SourceUnreadable extends IOException {
    SourceUnreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static ByteBuffer take(BlockingQueue<ByteBuffer> free, CompletableFuture<Void> hashing)
      throws InterruptedException, IOException {
    while (true) {
      ByteBuffer b = free.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (b != null) {
        return b;
      }
      if (hashing.isDone()) {
        throw new IOException("hashing the copy stopped");
      }
    }
  }

  /** Closes the source channel; only after the read transaction on the source has ended. */
  @Override
  public void close() {
    try {
      source.close();
    } catch (IOException ignored) {
      // read-only: nothing to lose
    }
  }
}
