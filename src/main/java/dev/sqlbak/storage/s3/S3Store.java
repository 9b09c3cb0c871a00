package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.DataMode;
import dev.sqlbak.storage.NameLock;
import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** STUB, replaced by the real store at merge. */
public final class S3Store implements BackupStore {
  private final S3Location prefix;

  private S3Store(S3Location prefix) {
    this.prefix = prefix;
  }

  /** Opens the store of {@code prefix}. */
  public static S3Store open(S3Location prefix, S3Options options) throws RemoteFailure {
    throw new RemoteFailure(RemoteFailure.Kind.OTHER, "not built yet", prefix.toString(), null, null);
  }

  public S3Location location() {
    return prefix;
  }

  public void abortUploads() {}

  @Override public List<StoredFile> list() throws IOException { throw new IOException("stub"); }
  @Override public boolean exists(String name) throws IOException { throw new IOException("stub"); }
  @Override public InputStream open(String name) throws IOException { throw new IOException("stub"); }
  @Override public LocalCopy local(String name, String... companionSuffixes) throws IOException { throw new IOException("stub"); }
  @Override public Staging stage(DataMode mode) throws IOException { throw new IOException("stub"); }
  @Override public void publish(Staging staging, Path staged, String name, Publish mode) throws IOException { throw new IOException("stub"); }
  @Override public boolean delete(String name) throws IOException { throw new IOException("stub"); }
  @Override public NameLock lockName(String name) throws IOException { throw new IOException("stub"); }
  @Override public void sweepDeadRuns() {}
  @Override public void abortInFlight() {}
  @Override public boolean publishesByUpload() { return true; }
  @Override public String describe(String name) { return prefix.resolve(name).toString(); }
  @Override public String describe() { return prefix.toString(); }
}
