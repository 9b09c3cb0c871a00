package dev.sqlbak.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The permission bits a file holding a database's data may have: at most those of the file the
 * data comes from (a backup's source, a restore's target or backup). New files are created with
 * them, and the umask can only take more away, so a private database never yields a readable copy.
 */
public final class DataMode {
  /** Read and write for the owner only: for scratch files whose origin has no POSIX mode. */
  public static final DataMode OWNER_ONLY = new DataMode(EnumSet.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE));

  private static final Set<PosixFilePermission> EXECUTE = EnumSet.of(PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

  private final Set<PosixFilePermission> permissions;

  private DataMode(Set<PosixFilePermission> permissions) {
    this.permissions = permissions;
  }

  /**
   * The mode of {@code origin} without execute bits. Where the filesystem has no POSIX modes, or
   * they cannot be read, owner-only: a copy is never more open than it can be shown to be allowed.
   */
  public static DataMode of(Path origin) {
    try {
      Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
      p.addAll(Files.getPosixFilePermissions(origin));
      p.removeAll(EXECUTE);
      return new DataMode(p);
    } catch (IOException | UnsupportedOperationException e) {
      return OWNER_ONLY;
    }
  }

  /**
   * Creates {@code file}, which must not exist, empty and with this mode, so that whatever writes
   * it later (SQLite, a copy, a decompression) writes into a file that was never more open.
   */
  void createEmpty(Path file) throws IOException {
    try (FileChannel ignored = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        attributes())) {
      // created; closed at once, before anything (SQLite included) opens it
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
  }

  /** This mode as a file attribute for {@code Files} and {@code FileChannel} calls that create a file. */
  public FileAttribute<?>[] attributes() {
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
  }
}
