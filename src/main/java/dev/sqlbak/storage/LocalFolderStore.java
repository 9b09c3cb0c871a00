package dev.sqlbak.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A folder on local disk as a {@link BackupStore}: staging is {@link AtomicDestination}'s hidden
 * temporary files in the folder itself, so that publishing is a hard link (no clobber) or a rename
 * on one filesystem, followed by an fsync of the folder.
 */
public final class LocalFolderStore implements BackupStore {
  private final Path folder;

  /**
   * The store of {@code folder}, kept as given (not made absolute) so that paths in messages read
   * as the user wrote them; nothing is checked or created until a method is called.
   */
  public LocalFolderStore(Path folder) {
    this.folder = folder;
  }

  /** The folder this store keeps its files in. */
  public Path folder() {
    return folder;
  }

  /** The path of {@code name} in the folder. */
  public Path pathOf(String name) {
    return folder.resolve(BackupStore.requirePlainName(name));
  }

  @Override
  public List<StoredFile> list() throws IOException {
    List<StoredFile> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith(TEMPORARY_PREFIX)) {
          continue;
        }
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue; // removed since the listing was taken
        }
        if (a.isRegularFile()) {
          files.add(new StoredFile(name, a.size()));
        }
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    files.sort(Comparator.comparing(StoredFile::name));
    return files;
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(pathOf(name), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public InputStream open(String name) throws IOException {
    return Files.newInputStream(pathOf(name), LinkOption.NOFOLLOW_LINKS);
  }

  /** The file in place: nothing is copied, and closing leaves it (and its companions) where they are. */
  @Override
  public LocalCopy local(String name, String... companionSuffixes) throws IOException {
    Path file = pathOf(name);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(file.toString());
    }
    return new LocalCopy() {
      @Override
      public Path file() {
        return file;
      }

      @Override
      public void close() {
        // the file is the store's own: nothing to remove
      }
    };
  }

  @Override
  public Staging stage(DataMode mode) throws IOException {
    return new ScratchStaging(this, AtomicDestination.create(folder, mode));
  }

  @Override
  public void publish(Staging staging, Path staged, String name, Publish mode) throws IOException {
    if (!(staging instanceof ScratchStaging own) || own.owner() != this) {
      throw new IllegalArgumentException("staging of another store");
    }
    own.destination().publish(staged, pathOf(name), mode);
  }

  @Override
  public boolean delete(String name) throws IOException {
    Path file = pathOf(name);
    // Only regular files: a folder or a symlink that happens to carry a backup's name is not ours.
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    return Files.deleteIfExists(file);
  }

  @Override
  public NameLock lockName(String name) throws IOException {
    return AtomicDestination.lockName(folder, BackupStore.requirePlainName(name));
  }

  /** Publishing is a rename here (one step, nothing to abort); the staged files go with their staging. */
  @Override
  public void abortInFlight() {}

  @Override
  public void sweepDeadRuns() {
    AtomicDestination.sweepStale(folder);
  }

  @Override
  public String describe(String name) {
    return pathOf(name).toString();
  }

  @Override
  public String describe() {
    return folder.toString();
  }
}
