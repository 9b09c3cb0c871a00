package dev.sqlbak.storage.s3;

import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.DataMode;
import dev.sqlbak.storage.NameLock;
import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import dev.sqlbak.storage.ScratchStaging;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The objects directly under one S3 prefix as a {@link BackupStore}: a name is the key after the
 * prefix. Staged files and local copies live in a private local scratch folder; publishing uploads
 * the staged file so that the name shows the whole file or nothing (see {@link ObjectUploads}) and
 * then checks the stored length.
 *
 * <p>S3 has no locks. {@link #lockName} serialises the threads of this process only; two processes
 * cannot both claim a new name because CREATE_NEW sends {@code If-None-Match: *}, which the store
 * itself checks.
 */
public final class S3Store implements BackupStore {
  /** Name locks of this process, by the name's full location, shared by every store on that prefix. */
  private static final Map<String, Semaphore> NAME_LOCKS = new ConcurrentHashMap<>();

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(S3Store.class);
  private static final java.util.Map<S3Options, S3Connection> CONNECTIONS = new java.util.concurrent.ConcurrentHashMap<>();
  private final S3Prefix prefix;
  private final java.util.function.Supplier<Path> scratch;
  private final ObjectUploads uploads;
  /** Held while a CREATE_NEW of a name checks and uploads, so that this process's runs take turns. */
  private final Map<String, Object> claims = new ConcurrentHashMap<>();

  /**
   * A store over {@code location} (taken as a prefix) through {@code client}; nothing is checked
   * until a method is called. {@code scratch} is an existing private folder for staged files and
   * local copies.
   */
  public S3Store(S3Client client, S3Location location, S3Options options, String endpoint, Path scratch) {
    this(new S3Prefix(client, location, endpoint), options, scratch, UploadSizes.DEFAULT);
  }

  S3Store(S3Prefix prefix, S3Options options, Path scratch, UploadSizes sizes) {
    this(prefix, options, () -> scratch, sizes);
  }

  /**
   * A store whose scratch folder is made only when first needed: listing and reading sidecars need
   * none, and so work with a read-only or full TMPDIR.
   */
  private S3Store(S3Prefix prefix, S3Options options, java.util.function.Supplier<Path> scratch, UploadSizes sizes) {
    this.prefix = prefix;
    this.scratch = scratch;
    this.uploads = new ObjectUploads(prefix, options.storageClass(), sizes);
  }

  /**
   * The store over {@code location} (taken as a prefix), after a preflight that lists at most one
   * object there: a missing bucket, refused credentials or an unreachable endpoint fail here, with
   * their HTTP status, before anything is copied (an upload refused early loses its status).
   *
   * @throws RemoteFailure if the prefix cannot be listed
   */
  public static S3Store open(S3Location location, S3Options options) throws IOException {
    S3Connection connection = CONNECTIONS.get(options);
    if (connection == null) {
      // One client per process and options: building one takes most of a second.
      connection = S3Connection.build(options, location.asPrefix());
      CONNECTIONS.put(options, connection);
    }
    S3Store store = new S3Store(new S3Prefix(connection.client(), location.asPrefix(), connection.endpoint()), options,
        ReadableBackup::scratchFolder, UploadSizes.DEFAULT);
    store.preflight();
    return store;
  }

  /** Lists at most one object of the prefix, to fail early and in the user's words. */
  void preflight() throws IOException {
    try {
      prefix.client().listObjectsV2(r -> r.bucket(prefix.bucket()).prefix(prefix.location().key()).maxKeys(1)
          .overrideConfiguration(S3Connection.SMALL_REQUEST));
    } catch (SdkException e) {
      throw prefix.failOnPrefix(e, S3Operation.LIST_OBJECTS);
    }
  }

  /** The prefix this store holds its objects under. */
  public S3Location location() {
    return prefix.location();
  }

  @Override
  public List<StoredFile> list() throws IOException {
    String keyPrefix = prefix.location().key();
    List<StoredFile> files = new ArrayList<>();
    try {
      for (S3Object o : prefix.client().listObjectsV2Paginator(r -> r.bucket(prefix.bucket()).prefix(keyPrefix)
          .delimiter("/").overrideConfiguration(S3Connection.SMALL_REQUEST)).contents()) {
        String name = o.key().substring(keyPrefix.length());
        // An empty name is the "folder" object some consoles create for the prefix itself.
        if (!name.isEmpty() && !name.contains("/") && !name.startsWith(TEMPORARY_PREFIX)) {
          files.add(new StoredFile(name, o.size()));
        }
      }
    } catch (SdkException e) {
      throw prefix.failOnPrefix(e, S3Operation.LIST_OBJECTS);
    }
    files.sort(Comparator.comparing(StoredFile::name));
    return files;
  }

  @Override
  public boolean exists(String name) throws IOException {
    return head(name).isPresent();
  }

  /** The object's metadata, or empty if there is no object {@code name}. */
  private Optional<HeadObjectResponse> head(String name) throws IOException {
    String key = prefix.key(name);
    try {
      return Optional.of(prefix.client().headObject(r -> r.bucket(prefix.bucket()).key(key)
          .overrideConfiguration(S3Connection.SMALL_REQUEST)));
    } catch (SdkException e) {
      if (S3Errors.isMissingKey(e)) {
        return Optional.empty();
      }
      throw prefix.fail(e, S3Operation.HEAD_OBJECT, name);
    }
  }

  @Override
  public InputStream open(String name) throws IOException {
    String key = prefix.key(name);
    try {
      return new S3ObjectStream(prefix.client().getObject(r -> r.bucket(prefix.bucket()).key(key)),
          prefix, name);
    } catch (SdkException e) {
      if (S3Errors.isMissingKey(e)) {
        throw new NoSuchFileException(describe(name));
      }
      throw prefix.fail(e, S3Operation.GET_OBJECT, name);
    }
  }

  /** A download into a private folder, under the object's own name, with its companions beside it. */
  @Override
  public LocalCopy local(String name, String... companionSuffixes) throws IOException {
    BackupStore.requirePlainName(name);
    for (String suffix : companionSuffixes) {
      BackupStore.requirePlainName(name + suffix);
    }
    return S3LocalCopy.download(prefix, scratch.get(), name, companionSuffixes);
  }

  @Override
  public Staging stage(DataMode mode) throws IOException {
    return new ScratchStaging(this, AtomicDestination.create(scratch.get(), mode));
  }

  @Override
  public void publish(Staging staging, Path staged, String name, Publish mode) throws IOException {
    BackupStore.requirePlainName(name);
    if (!(staging instanceof ScratchStaging own) || own.owner() != this) {
      throw new IllegalArgumentException("staging of another store");
    }
    long size = Files.size(staged);
    if (mode == Publish.CREATE_NEW) {
      synchronized (claims.computeIfAbsent(name, n -> new Object())) {
        // The check saves uploading a file only to be refused; If-None-Match decides a race.
        if (exists(name)) {
          throw new FileAlreadyExistsException(describe(name));
        }
        uploads.upload(staged, name, mode);
      }
    } else {
      uploads.upload(staged, name, mode);
    }
    checkStoredLength(name, size);
    Files.delete(staged); // used up, as a rename would have used it up
  }

  /** Compares the stored object's length with the file's; removes an object that does not match. */
  private void checkStoredLength(String name, long size) throws IOException {
    Optional<HeadObjectResponse> stored = head(name);
    Long length = stored.map(HeadObjectResponse::contentLength).orElse(null);
    if (length == null || length != size) {
      if (stored.isPresent()) {
        delete(name);
      }
      throw new RemoteFailure(RemoteFailure.Kind.INTEGRITY, "stored object has " + (length == null ? "no" : length)
          + " bytes, sent " + size, describe(name), "the object was removed; run again", null);
    }
  }

  /** Checks first, since S3 answers a DELETE of a missing key as a success. */
  @Override
  public boolean delete(String name) throws IOException {
    if (!exists(name)) {
      return false;
    }
    try {
      prefix.client().deleteObject(r -> r.bucket(prefix.bucket()).key(prefix.key(name))
          .overrideConfiguration(S3Connection.SMALL_REQUEST));
      return true;
    } catch (SdkException e) {
      throw prefix.fail(e, S3Operation.DELETE_OBJECT, name);
    }
  }

  /**
   * A lock within this process only (its threads take turns): S3 has no locks, so runs of other
   * processes are kept apart by {@code If-None-Match} on new names, not by this.
   */
  @Override
  public NameLock lockName(String name) throws IOException {
    Semaphore lock = NAME_LOCKS.computeIfAbsent(describe(name), n -> new Semaphore(1));
    try {
      lock.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the lock on " + describe(name));
    }
    return lock::release;
  }

  /**
   * Aborts this store's uploads in progress (multipart ones at the store, single PUTs by ending
   * their bodies unfinished), from the calling thread and within seconds: for a signal handler
   * (Ctrl-C), which must not wait for the uploading thread. The uploads then fail in their own
   * threads; nothing partial is left under any name.
   */
  public void abortUploads() {
    uploads.abortAll();
  }

  /** As {@link #abortUploads()}: nothing in flight is finished; what was completed before stays. */
  @Override
  public void abortInFlight() {
    abortUploads();
  }

  @Override
  public boolean publishesByUpload() {
    return true;
  }

  /** Aborts the multipart uploads of dead runs (see {@link DeadUploadSweep}) and removes dead runs' local scratch files. */
  @Override
  public void sweepDeadRuns() {
    try {
      S3LocalCopy.sweepOrphans(scratch.get());
    } catch (RuntimeException e) {
      LOG.debug("no scratch folder to sweep", e);
    }
    new DeadUploadSweep(prefix).run(Instant.now());
  }

  @Override
  public String describe(String name) {
    return prefix.describe(name);
  }

  @Override
  public String describe() {
    return prefix.location().toString();
  }
}
