package dev.sqlbak.storage;

import dev.sqlbak.payload.ReadableBackup;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A {@link BackupStore} held in memory, names to bytes: the second implementation of the seam,
 * which shows that what works on a store does not depend on a folder, and gives tests a store
 * without a filesystem's quirks. Staged files and local copies live in a private scratch folder
 * (by default {@link ReadableBackup#scratchFolder()}) and are removed on close.
 */
public final class MemoryStore implements BackupStore {
  /** Sorted, so that {@link #list()} is; guarded by itself, so that claiming a name is one step. */
  private final TreeMap<String, byte[]> files = new TreeMap<>();
  private final Map<String, Semaphore> nameLocks = new ConcurrentHashMap<>();
  private final Path scratch;

  /** An empty store whose scratch files go to this user's private scratch folder. */
  public MemoryStore() {
    this(ReadableBackup.scratchFolder());
  }

  /** An empty store whose scratch files go to {@code scratch}, an existing folder. */
  public MemoryStore(Path scratch) {
    this.scratch = scratch;
  }

  @Override
  public List<StoredFile> list() {
    List<StoredFile> listed = new ArrayList<>();
    synchronized (files) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        listed.add(new StoredFile(e.getKey(), e.getValue().length));
      }
    }
    return listed;
  }

  @Override
  public boolean exists(String name) {
    BackupStore.requirePlainName(name);
    synchronized (files) {
      return files.containsKey(name);
    }
  }

  @Override
  public InputStream open(String name) throws IOException {
    return new ByteArrayInputStream(bytesOf(name));
  }

  /** A scratch copy under a temporary name, with its companions as {@code <copy><suffix>} beside it. */
  @Override
  public LocalCopy local(String name, String... companionSuffixes) throws IOException {
    byte[] content = bytesOf(name);
    AtomicDestination copy = AtomicDestination.create(scratch, DataMode.OWNER_ONLY);
    try {
      Files.write(copy.file(), content);
      for (String suffix : companionSuffixes) {
        byte[] companion = bytesOrNull(name + suffix);
        if (companion != null) {
          Files.write(copy.newFile("db" + suffix), companion);
        }
      }
    } catch (IOException | RuntimeException e) {
      copy.close();
      throw e;
    }
    return new LocalCopy() {
      @Override
      public Path file() {
        return copy.file();
      }

      @Override
      public void close() {
        copy.close();
      }
    };
  }

  @Override
  public Staging stage(DataMode mode) throws IOException {
    return new ScratchStaging(this, AtomicDestination.create(scratch, mode));
  }

  @Override
  public void publish(Staging staging, Path staged, String name, Publish mode) throws IOException {
    BackupStore.requirePlainName(name);
    if (!(staging instanceof ScratchStaging own) || own.owner() != this) {
      throw new IllegalArgumentException("staging of another store");
    }
    byte[] content = Files.readAllBytes(staged);
    synchronized (files) {
      if (mode == Publish.CREATE_NEW && files.containsKey(name)) {
        throw new FileAlreadyExistsException(describe(name));
      }
      files.put(name, content);
    }
    Files.delete(staged); // used up, as a rename would have used it up
  }

  @Override
  public boolean delete(String name) {
    BackupStore.requirePlainName(name);
    synchronized (files) {
      return files.remove(name) != null;
    }
  }

  /** A lock of this store object only: a memory store is not shared with other processes. */
  @Override
  public NameLock lockName(String name) throws IOException {
    Semaphore lock = nameLocks.computeIfAbsent(BackupStore.requirePlainName(name), n -> new Semaphore(1));
    try {
      lock.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted waiting for the lock on " + name);
    }
    return lock::release;
  }

  /** Publishing is a rename here (one step, nothing to abort); the staged files go with their staging. */
  @Override
  public void abortInFlight() {}

  @Override
  public void sweepDeadRuns() {
    // The names live in this process only; its scratch files are swept with the scratch folder's.
    AtomicDestination.sweepStale(scratch);
  }

  @Override
  public String describe(String name) {
    return "memory:" + BackupStore.requirePlainName(name);
  }

  @Override
  public String describe() {
    return "memory:";
  }

  private byte[] bytesOf(String name) throws NoSuchFileException {
    byte[] content = bytesOrNull(name);
    if (content == null) {
      throw new NoSuchFileException(describe(name));
    }
    return content;
  }

  private byte[] bytesOrNull(String name) {
    BackupStore.requirePlainName(name);
    synchronized (files) {
      return files.get(name);
    }
  }

}
