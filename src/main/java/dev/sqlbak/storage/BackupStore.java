package dev.sqlbak.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The place backups are kept (a local folder, later an object store): the one seam every
 * destination implements, so that naming, retention and pruning work on names, never on a
 * particular filesystem.
 *
 * <p>Names are plain file names (no folder part). A store lists only the files it holds as
 * regular files: never sqlbak's own temporary files ({@code .sqlbak-*}), never folders or
 * symlinks, so nothing that acts on a listing (prune) can reach anything else. Everything under a
 * name appears complete or not at all: new content is written into a {@link Staging} owned by the
 * run and then {@linkplain #publish published}.
 */
public interface BackupStore {
  /** The prefix of sqlbak's temporary names, which a store never lists. */
  String TEMPORARY_PREFIX = StaleTemporaryFiles.PREFIX;

  /** How {@link #publish} treats a name that is already taken. */
  enum Publish {
    /** Refuse it: {@link FileAlreadyExistsException}, the old content untouched (two runs cannot both claim a name). */
    CREATE_NEW,
    /** Replace it in one step: readers see the old content or the new, never a mix. */
    REPLACE
  }

  /**
   * One file in a store.
   *
   * @param name its name
   * @param size its length in bytes
   */
  record StoredFile(String name, long size) {}

  /** The store's files (regular files only, no temporary files), sorted by name. */
  List<StoredFile> list() throws IOException;

  /** Whether {@code name} is taken, by a file or (in a folder) by anything else. */
  boolean exists(String name) throws IOException;

  /**
   * Reads the file {@code name}.
   *
   * @throws NoSuchFileException if there is none
   */
  InputStream open(String name) throws IOException;

  /**
   * The file {@code name} on local disk, for readers that need a real file (SQLite): the file in
   * place for a folder, a private scratch copy for other stores. Each of {@code companionSuffixes}
   * (such as {@code ".sha256"}) names a companion, {@code name + suffix}, that is put beside it
   * under the same relation when it exists, so that a check that looks beside the file finds it.
   *
   * @throws NoSuchFileException if there is no file {@code name}
   */
  LocalCopy local(String name, String... companionSuffixes) throws IOException;

  /**
   * A new scratch area owned by this run, whose files are created with {@code mode}; files written
   * there are invisible to {@link #list()} and gone when it is closed.
   */
  Staging stage(DataMode mode) throws IOException;

  /**
   * Makes {@code staged} (a file of {@code staging}, complete and no longer written) visible as
   * {@code name}; nothing partial is ever visible under {@code name}. The staged file is used up.
   *
   * @throws FileAlreadyExistsException if {@code mode} is {@link Publish#CREATE_NEW} and the name is taken
   */
  void publish(Staging staging, Path staged, String name, Publish mode) throws IOException;

  /**
   * Removes the file {@code name}; returns false if no regular file of that name is there (gone
   * already, or never one: a folder or a symlink carrying the name is left alone).
   */
  boolean delete(String name) throws IOException;

  /**
   * Waits for and takes the lock on publishing {@code name}, held until closed: runs that publish
   * a file and then its sidecar under one name must not interleave their two steps.
   */
  NameLock lockName(String name) throws IOException;

  /**
   * Aborts the publishing in flight from another thread, promptly (a signal handler calls it): the
   * publish fails, and nothing partial is left under a name or behind it (a remote store's
   * unfinished multipart upload). Nothing to do where publishing is a rename.
   */
  void abortInFlight();

  /**
   * Whether publishing sends the bytes somewhere (and so takes a while, and can be aborted by
   * {@link #abortInFlight}) rather than renaming a staged file in place.
   */
  default boolean publishesByUpload() {
    return false;
  }

  /**
   * Removes what runs that died (kill -9, a lost machine) left behind: their temporary files, never
   * those of a run still alive. Never fails; what cannot be removed stays for a later sweep.
   */
  void sweepDeadRuns();

  /** {@code name} as messages show it (for a folder: the file's path). */
  String describe(String name);

  /** The store itself as messages show it (for a folder: its path). */
  String describe();

  /** Throws unless {@code name} is a plain file name: stores hold no folders, and no name may climb out. */
  static String requirePlainName(String name) {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
        || name.contains(java.io.File.separator) || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a plain file name: " + name);
    }
    return name;
  }

  /** A file of a store on local disk; closing removes it if it was a scratch copy. */
  interface LocalCopy extends AutoCloseable {
    /** The file to read. */
    Path file();

    @Override
    void close();
  }

  /**
   * A run's scratch area in a store: files to write the content of a new backup into before it is
   * published. Closing removes whatever was not published.
   */
  interface Staging extends AutoCloseable {
    /** The first scratch file, created empty with the staging's mode when the staging was made. */
    Path file();

    /** Another new, empty scratch file with the staging's mode, such as the compressed form of {@link #file()}. */
    Path newFile(String suffix) throws IOException;

    /**
     * A name for another scratch file that the caller creates itself (with options of its own, such
     * as O_DIRECT); it is removed with the staging like the others.
     */
    Path unclaimed(String suffix);

    /**
     * A scratch file holding {@code content} (UTF-8), written and synced now, so that publishing it
     * later (a sidecar after its backup) is a rename and needs no free space. Text holds no data of
     * the database: it is created with the default permissions, not the staging's mode.
     */
    Path prepareText(String suffix, String content) throws IOException;

    /** The local folder the scratch files are in: where a full disk or a file size limit strikes. */
    Path folder();

    /** The mode the scratch files are created with. */
    DataMode mode();

    @Override
    void close();
  }
}
