package dev.sqlbak.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A run's scratch files for a store, kept as {@link AtomicDestination} keeps them (hidden, locked,
 * swept after a crash), in the folder the store publishes from.
 *
 * @param owner the store whose staging this is: only it may publish these files
 * @param destination the temporary files
 */
public record ScratchStaging(BackupStore owner, AtomicDestination destination) implements BackupStore.Staging {
  @Override
  public Path file() {
    return destination.file();
  }

  @Override
  public Path newFile(String suffix) throws IOException {
    return destination.newFile(suffix);
  }

  @Override
  public Path unclaimed(String suffix) {
    return destination.file(suffix);
  }

  @Override
  public Path prepareText(String suffix, String content) throws IOException {
    Path file = destination.file(suffix);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    return file;
  }

  @Override
  public Path folder() {
    return destination.folder();
  }

  @Override
  public DataMode mode() {
    return destination.mode();
  }

  @Override
  public void close() {
    destination.close();
  }
}
