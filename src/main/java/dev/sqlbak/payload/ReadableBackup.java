package dev.sqlbak.payload;

import dev.sqlbak.copy.FileImageCopy;
import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.DataMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A backup file opened for reading as a database: plain files are used as they are; encrypted
 * ({@code .age}) and compressed ones ({@code .gz}, {@code .zst}) are first decrypted and
 * decompressed into a private scratch file that closing removes.
 */
public final class ReadableBackup implements AutoCloseable {
  private final Path file;
  private final StoredBytes.Decoded stored;
  private AtomicDestination scratch;

  ReadableBackup(Path file, StoredBytes.Decoded stored, AtomicDestination scratch) {
    this.file = file;
    this.stored = stored;
    this.scratch = scratch;
  }

  /**
   * Opens {@code file}, decrypting and decompressing it if its first bytes say it is encrypted or
   * compressed.
   *
   * @throws CorruptCompression if the compressed data is damaged or truncated
   * @throws Decryption.DamagedCiphertext if the encrypted data is damaged or truncated
   * @throws Decryption.IdentityMissing if it is encrypted and no identity was given
   * @throws Decryption.WrongIdentity if no identity given opens it
   */
  public static ReadableBackup open(Path file, Decryption decryption) throws IOException {
    byte[] head = new byte[Decryption.HEAD_BYTES];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (!Decryption.isAge(head, n) && Compression.ofHead(head, n) == Compression.NONE) {
      return new ReadableBackup(file, new StoredBytes.Decoded(Compression.NONE, false), null);
    }
    AtomicDestination scratch = AtomicDestination.create(scratchFolder(), DataMode.of(file));
    try (InputStream raw = Files.newInputStream(file);
        OutputStream out = Files.newOutputStream(scratch.file())) {
      return new ReadableBackup(file, StoredBytes.decode(raw, decryption, out), scratch);
    } catch (IOException | RuntimeException e) {
      scratch.close();
      throw e;
    }
  }

  /**
   * Opens a backup's database file read-only. One whose header says WAL with no -wal content beside
   * it is opened as immutable: every committed page is in the file, and a plain read-only open
   * would create -wal and -shm files beside the backup and leave them there.
   */
  public static SqliteDatabase openDatabase(Path database) throws SqliteFailure {
    LiveDatabaseFiles files = LiveDatabaseFiles.openForSqlite(database);
    return files.headerSaysWal() && !files.walHasContent()
        ? SqliteDatabase.openImmutable(files)
        : SqliteDatabase.openReadOnly(files, java.time.Duration.ZERO);
  }

  /** Whether {@code folder} is the scratch folder (without making it). */
  public static boolean isScratchFolder(Path folder) {
    return folder != null && folder.toAbsolutePath().equals(scratchPath());
  }

  /**
   * Removes what killed runs left in the scratch folder, if there is one (it is never made for
   * this): a run killed with {@code kill -9} leaves its plain copy there, which only a later run
   * can remove, whatever kind of run that is. Never fails.
   */
  public static void sweepScratchFolder() {
    Path dir = scratchPath();
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      AtomicDestination.sweepStale(dir);
    }
  }

  private static Path scratchPath() {
    Path base = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    return base.resolve("sqlbak-" + user);
  }

  /**
   * Where scratch copies go (decompressed backups, streamed backups before they are sent): a
   * folder of this user's own in the temporary folder ({@code java.io.tmpdir}, which the launcher
   * sets from {@code TMPDIR}), readable by nobody else, made if missing.
   */
  public static Path scratchFolder() {
    Path dir = scratchPath();
    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
    try {
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(owner));
      } catch (FileAlreadyExistsException e) {
        // made by an earlier run: checked below
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
          || !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"))) {
        throw SqlbakException.failed("scratch folder is not this user's own", dir,
            "remove it, or set TMPDIR to a folder of your own");
      }
      if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(owner)) {
        Files.setPosixFilePermissions(dir, owner);
      }
      return dir;
    } catch (UnsupportedOperationException e) {
      return dir; // no POSIX modes here: the folder is as private as this filesystem allows
    } catch (IOException e) {
      throw SqlbakException.failed("cannot make the scratch folder", dir, Failures.reason(e)
          + "; set TMPDIR to a writable folder", e);
    }
  }

  /**
   * The backup's bytes as a file: the file given, or for a backup read from a stream its scratch
   * copy; what a check of the file itself (its size, its sidecar) looks at.
   */
  public Path file() {
    return file;
  }

  /** The database to open: the file itself, or its decompressed copy. */
  public Path database() {
    return scratch == null ? file : scratch.file();
  }

  /**
   * The database to restore into a rollback-journal target: {@link #database()}, or if that file's
   * header says WAL, a scratch copy whose header says rollback-journal.
   *
   * <p>The backup API copies page 1 as it is into a target that is not in WAL mode. A WAL header
   * committed there switches every connection that reads the target next into WAL mode, and each
   * of those then holds the target's SHARED lock for as long as it stays open, so that nothing can
   * switch the target back; the target must keep its own mode from the commit on.
   */
  public Path databaseSayingRollbackJournal() throws IOException {
    Path database = database();
    try (LiveDatabaseFiles files = LiveDatabaseFiles.openAsIs(database)) {
      if (!files.headerSaysWal()) {
        return database;
      }
    }
    if (scratch == null) {
      scratch = AtomicDestination.create(scratchFolder(), DataMode.of(file));
      Files.copy(file, scratch.file(), StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel channel = FileChannel.open(scratch.file(), StandardOpenOption.WRITE)) {
      FileImageCopy.writeRollbackJournalVersions(channel);
    }
    return scratch.file();
  }

  /**
   * The database to restore from: {@link #databaseSayingRollbackJournal()}, which must also be a
   * file this process can open for writing, since a restore is stopped between two steps by taking
   * a write lock on it (it is never written). A read-only backup (a read-only mount) is first
   * copied to a private scratch file.
   */
  public Path databaseToRestore() throws IOException {
    Path database = databaseSayingRollbackJournal();
    if (scratch != null || Files.isWritable(database)) {
      return database;
    }
    scratch = AtomicDestination.create(scratchFolder(), DataMode.of(file));
    Files.copy(database, scratch.file(), StandardCopyOption.REPLACE_EXISTING);
    return scratch.file();
  }

  public Compression compression() {
    return stored.compression();
  }

  /** Whether the backup's bytes are an age file, decrypted into the scratch copy. */
  public boolean encrypted() {
    return stored.encrypted();
  }

  @Override
  public void close() {
    if (scratch != null) {
      scratch.close();
    }
  }

  /** The compressed data could not be decompressed: the backup is damaged or truncated. */
  public static final class CorruptCompression extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptCompression(Compression compression, Exception cause) {
      super("damaged or truncated " + compression.name().toLowerCase(java.util.Locale.ROOT) + " data: "
          + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
    }
  }
}
