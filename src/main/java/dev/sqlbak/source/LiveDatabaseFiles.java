package dev.sqlbak.source;

import dev.sqlbak.copy.FileImageCopy;
import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.storage.DataMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one owner of the files of a database that other processes may be using (a backup's source
 * or an attached schema, a restore's target, a database being inspected): no other code of sqlbak
 * reads their bytes, and SQLite opens them only through a {@link SqliteDatabase} that holds one.
 *
 * <p>Why: POSIX locks belong to a process, and closing <em>any</em> descriptor of a file drops all
 * of the process's locks on it, SQLite's included. A WAL-mode source whose SHARED lock was dropped
 * that way lost its snapshot to the next writer whose last close checkpointed and deleted the -wal
 * under the copy (torn backups with exit 0). So the file is opened once here, before any SQLite
 * connection, its header read through that descriptor, and the descriptor stays open until the
 * last holder of this file in this process has closed, after every connection that depended on it
 * (a {@link SqliteDatabase} closes its files after its connection). Holders of one file share one
 * descriptor, so no holder's close can end another's locks.
 *
 * <p>The path is resolved through symlinks once, here; every decision about the database (WAL or
 * not, what is in its -wal, which files are its side files) uses the real path, as SQLite does.
 */
public final class LiveDatabaseFiles implements AutoCloseable {
  private static final int HEADER_BYTES = 100;
  /** Side files SQLite keeps beside a database, by suffix. */
  static final List<String> SIDE_SUFFIXES = List.of("-wal", "-shm", "-journal");
  /**
   * Open descriptors by file (device and inode where the filesystem tells them, else real path),
   * shared by every holder of that file in this process, whatever name it was opened by.
   */
  private static final Map<Object, Shared> OPEN = new HashMap<>();

  private final Path given;
  private final Path real;
  private final Object key;
  private final Shared shared;
  private boolean closed;

  /** One descriptor of one real file and how many holders it has. */
  private static final class Shared {
    final FileChannel channel;
    final ByteBuffer header;
    int holders;

    Shared(FileChannel channel, ByteBuffer header) {
      this.channel = channel;
      this.header = header;
    }
  }

  private LiveDatabaseFiles(Path given, Path real, Object key, Shared shared) {
    this.given = given;
    this.real = real;
    this.key = key;
    this.shared = shared;
  }

  /**
   * Checks that {@code given} names a readable, non-empty regular file (in the given {@code role}:
   * source, target, database), resolves it and opens it for reading.
   *
   * @throws SqlbakException with sqlbak's one line if it does not
   */
  public static LiveDatabaseFiles open(Path given, String role) {
    requireDatabaseFile(given, role);
    try {
      return openAsIs(given);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read " + role, given, Failures.reason(e), e);
    }
  }

  /**
   * As {@link #openAsIs}, for a caller about to hand the file to SQLite: a file that cannot even be
   * opened for reading is reported as SQLite would report it (CANT_OPEN), with the OS's reason.
   */
  public static LiveDatabaseFiles openForSqlite(Path given) throws SqliteFailure {
    try {
      return openAsIs(given);
    } catch (IOException e) {
      throw new SqliteFailure(SqliteFailure.Reason.CANT_OPEN, Failures.reason(e), e);
    }
  }

  /** Resolves {@code given} and opens it for reading, whatever it holds (a backup being inspected). */
  public static LiveDatabaseFiles openAsIs(Path given) throws IOException {
    Path real = given.toRealPath();
    Object fileKey = Files.readAttributes(real, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    Object key = fileKey != null ? fileKey : real;
    synchronized (OPEN) {
      Shared shared = OPEN.get(key);
      if (shared == null) {
        FileChannel channel = FileChannel.open(real, StandardOpenOption.READ);
        try {
          ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
          while (header.hasRemaining() && channel.read(header, header.position()) > 0) {
            // until the header is in or the file ends
          }
          header.flip();
          shared = new Shared(channel, header.asReadOnlyBuffer());
        } catch (IOException e) {
          channel.close(); // nothing of ours has this file open yet: no lock to lose
          throw e;
        }
        OPEN.put(key, shared);
      }
      shared.holders++;
      return new LiveDatabaseFiles(given, real, key, shared);
    }
  }

  /** The path as the user gave it: for messages and names. */
  public Path given() {
    return given;
  }

  /** The real path (symlinks resolved): what SQLite opens, and what every decision is about. */
  public Path real() {
    return real;
  }

  /** The side file SQLite keeps beside the real file with {@code suffix} ({@code -wal}, ...). */
  public Path sideFile(String suffix) {
    return real.resolveSibling(real.getFileName() + suffix);
  }

  /** Whether the header, as read before any connection opened the file, says WAL (bytes 18-19 are 2). */
  public boolean headerSaysWal() {
    return headerVersionsAre(2);
  }

  /** Whether the header, as read before any connection opened the file, says rollback-journal. */
  public boolean headerSaysRollbackJournal() {
    return headerVersionsAre(1);
  }

  /**
   * The page size the header, as first read, gives (bytes 16-17; 1 means 65536), or empty where
   * the header is missing or gives no valid SQLite page size (a damaged or non-database file).
   */
  public java.util.OptionalInt headerPageSize() {
    ByteBuffer h = shared.header;
    if (h.limit() < 20) {
      return java.util.OptionalInt.empty();
    }
    int raw = ((h.get(16) & 0xff) << 8) | (h.get(17) & 0xff);
    int size = raw == 1 ? 65536 : raw;
    boolean valid = size >= 512 && size <= 65536 && Integer.bitCount(size) == 1;
    return valid ? java.util.OptionalInt.of(size) : java.util.OptionalInt.empty();
  }

  private boolean headerVersionsAre(int version) {
    ByteBuffer h = shared.header;
    return h.limit() >= 20 && h.get(18) == version && h.get(19) == version;
  }

  /** Whether a -wal file with content is beside the real file now (a look at its size, no descriptor). */
  public boolean walHasContent() {
    Path wal = sideFile("-wal");
    try {
      return Files.exists(wal, LinkOption.NOFOLLOW_LINKS) && Files.size(wal) > 0;
    } catch (IOException e) {
      return true; // cannot tell: assume there is, which only ever costs speed
    }
  }

  /** The size of the real file now. */
  public long size() throws IOException {
    return Files.size(real);
  }

  /** Whether the real file's folder may be written (where SQLite creates -wal and -shm files). */
  public boolean folderWritable() {
    Path folder = real.getParent();
    return folder != null && Files.isWritable(folder);
  }

  /** The permission bits copies of this database's data may have. */
  public DataMode dataMode() {
    return DataMode.of(real);
  }

  /**
   * The file's first bytes (up to 100, fewer if the file is shorter), as read before any
   * connection of this process opened it: for judging whether the file is a database at all.
   */
  public ByteBuffer header() {
    return shared.header.duplicate();
  }

  /**
   * Copies the whole file as it is now into {@code out}, through the shared descriptor (a fresh
   * one, closed afterwards, would drop the locks of any connection of ours on the file); returns
   * the bytes copied. For a damaged file, which SQLite cannot read: the caller makes sure no
   * connection writes it meanwhile.
   */
  public long copyBytesTo(FileChannel out) throws IOException {
    long size = shared.channel.size();
    long done = 0;
    while (done < size) {
      long n = shared.channel.transferTo(done, size - done, out);
      if (n <= 0) {
        break; // the file shrank under us: what was there is copied
      }
      done += n;
    }
    return done;
  }

  /**
   * A byte-for-byte copy of this file, reading through the shared descriptor; valid only while a
   * read transaction keeps writers out of the file.
   */
  public FileImageCopy imageCopy() {
    return new FileImageCopy(shared.channel, headerSaysWal());
  }

  /**
   * Which of {@code database}'s own files {@code other} is, through any path, symlink (also a
   * dangling one) or hard link: {@code ""} for the database itself, {@code "-wal"}, {@code "-shm"}
   * or {@code "-journal"} for a side file, empty if none: files sqlbak may never write.
   */
  public static Optional<String> ownFileKind(Path database, Path other) {
    Path real = RealPath.of(database);
    Path resolved = RealPath.of(other);
    if (resolved.equals(real) || sameFile(other, real)) {
      return Optional.of("");
    }
    String name = resolved.getFileName() == null ? "" : resolved.getFileName().toString();
    for (String suffix : SIDE_SUFFIXES) {
      Path side = real.resolveSibling(real.getFileName() + suffix);
      if (resolved.equals(side) || sameFile(other, side)) {
        return Optional.of(suffix);
      }
      // The side file of another name of the same file (a hard link): SQLite keeps one per name.
      if (name.endsWith(suffix) && name.length() > suffix.length()
          && sameFile(resolved.resolveSibling(name.substring(0, name.length() - suffix.length())), real)) {
        return Optional.of(suffix);
      }
    }
    return Optional.empty();
  }

  /**
   * Refuses a live database file (in the given role) that has more than one name (hard links):
   * SQLite keeps a database's -wal, -shm and -journal beside the name it was opened by, so through
   * one name sqlbak cannot see, nor lock against, what an application commits through another (a
   * copy would miss or tear it, a restore would land where the application never looks). Where
   * the link count cannot be read, nothing is refused.
   */
  public static void requireOneName(Path file, String role) {
    Object links;
    try {
      links = Files.getAttribute(file, "unix:nlink");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return;
    }
    if (links instanceof Integer && (Integer) links > 1) {
      throw SqlbakException.failed(role + " has " + links + " hard links", file,
          "SQLite finds a database's -wal and -journal by name, so what is committed through another"
              + " name cannot be seen through this one; keep one name (find -samefile lists them)");
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Lets go of the file. Its descriptor is closed when its last holder in this process lets go,
   * which every caller does only after the connections that read the file have closed.
   */
  @Override
  public void close() {
    synchronized (OPEN) {
      if (closed) {
        return;
      }
      closed = true;
      if (--shared.holders == 0) {
        OPEN.remove(key);
        try {
          shared.channel.close();
        } catch (IOException e) {
          // read-only: nothing to lose
        }
      }
    }
  }

  /** Refuses what is not a readable, non-empty regular file, saying what it is instead. */
  public static void requireDatabaseFile(Path file, String role) {
    if (!Files.exists(file)) {
      if (Files.isSymbolicLink(file)) {
        // "not found" would send the user looking for a file that is there: say what is wrong.
        String why;
        try {
          file.toRealPath();
          why = null;
        } catch (NoSuchFileException e) {
          why = "its target does not exist";
        } catch (IOException e) {
          why = Failures.reason(e);
        }
        throw SqlbakException.failed(role + " is a symbolic link that leads to no file", file, why);
      }
      throw SqlbakException.failed(role + " not found", file, null);
    }
    if (Files.isDirectory(file)) {
      throw SqlbakException.failed(role + " is a directory", file, "name a database file");
    }
    if (!Files.isRegularFile(file)) {
      throw SqlbakException.failed(role + " is not a regular file", file, "name a database file");
    }
    try {
      if (Files.size(file) == 0) {
        throw SqlbakException.failed(role + " is empty (0 bytes), not a database", file, null);
      }
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read " + role, file, e.getMessage(), e);
    }
    if (!Files.isReadable(file)) {
      throw SqlbakException.failed("cannot read " + role, file, "permission denied");
    }
  }
}
