package dev.sqlbak.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a large copy holds its source, touches as much page cache as the copy will fill and
 * frees it again, so that the source is held for the copy and not for the machine's first touch of
 * that memory.
 *
 * <p>Some virtual machines hand memory the guest has freed back to the host (virtio-balloon free
 * page reporting, as in Firecracker), and the next touch of each page then costs a trip through
 * the host. Measured on such a machine, 2 cores: 1 GiB written into the page cache took 1.86 s the
 * first time and 0.33 s right after the same amount had been freed. Freed pages go back to the
 * kernel's free lists, where the copy's page cache finds them still warm. So this writes zeros
 * into a scratch file of the copy's size and deletes it before the snapshot begins, where it makes
 * nobody wait. Under a back-to-back writer, a live 1 GiB WAL source's snapshot was held 0.67-1.8 s
 * after a warm-up against 3.2-4.3 s without.
 *
 * <p>No cheap test tells fresh memory from warm (the first 128 MiB of a scratch file were once
 * written at 5 GB/s and the copy after it still crawled), so the caller decides where the cost
 * (0.33 s per GiB on warm memory) is worth paying. The scratch file stays below the kernel's
 * writeback line ({@link PageCacheRoom}), so none of it is written to disk; any failure (no space,
 * say) just ends the warm-up: the copy will meet and report it itself.
 */
final class PageCacheWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(PageCacheWarmUp.class);
  /** Below this a copy holds its source so briefly that there is nothing worth saving. */
  static final long MIN_BYTES = 64L << 20;
  private static final int WRITE_BYTES = 1 << 20;

  private PageCacheWarmUp() {}

  /** Whether warming {@code bytes} is worth it and stays clear of writeback. */
  static boolean pays(long bytes) {
    return bytes >= MIN_BYTES && PageCacheRoom.holdsUnwritten(bytes);
  }

  /**
   * Writes {@code bytes} of zeros into {@code scratch} (a new file) and deletes it, if that
   * {@link #pays}; returns how many bytes were written.
   */
  static long warm(Path scratch, long bytes) {
    if (!pays(bytes)) {
      return 0;
    }
    long written = 0;
    long t0 = System.nanoTime();
    FileChannel out;
    try {
      out = FileChannel.open(scratch, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      LOG.debug("no warm-up: cannot create {}: {}", scratch, e.getMessage());
      return 0;
    }
    try (out) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(WRITE_BYTES);
      while (written < bytes) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - written));
        written += out.write(zeros, written);
      }
    } catch (IOException e) {
      LOG.debug("warm-up of {} ended at {} bytes: {}", scratch, written, e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(scratch);
      } catch (IOException e) {
        LOG.debug("cannot delete {}", scratch, e);
      }
    }
    LOG.debug("warmed {} MiB of page cache for the copy in {} ms", written >> 20,
        (System.nanoTime() - t0) / 1_000_000);
    return written;
  }
}
