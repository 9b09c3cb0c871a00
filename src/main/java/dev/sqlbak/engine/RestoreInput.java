package dev.sqlbak.engine;

import dev.sqlbak.payload.Decryption;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.payload.SpooledBackup;
import dev.sqlbak.storage.AtomicDestination;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A restore's backup that can only be read once, as it comes: standard input ({@code restore -}),
 * or a path that is no regular file ({@code /dev/stdin}, {@code <(cmd)}, a FIFO). Such a backup
 * has no size to check and cannot be opened by SQLite, so it is read to its end into a private
 * scratch file first, which the restore then checks and restores like any backup file.
 */
final class RestoreInput {
  private RestoreInput() {}

  /**
   * Whether the backup must be read as a stream: standard input, or a path to something that is
   * neither a regular file nor a folder (a folder fails as a file would, saying what it is).
   */
  static boolean isStream(BackupOrigin origin, Path shown) {
    if (origin instanceof BackupOrigin.Stream) {
      return true;
    }
    return Files.exists(shown) && !Files.isRegularFile(shown) && !Files.isDirectory(shown);
  }

  /**
   * Reads the backup into a scratch file. A stream cut short (damaged compressed data) is a bad
   * backup; an empty or truncated plain one is found bad by the check that follows.
   */
  static ReadableBackup spool(BackupOrigin origin, Path shown, Decryption decryption) {
    try {
      if (origin instanceof BackupOrigin.Stream stream) {
        // The caller's stream (standard input): read to its end, left open for the caller.
        return SpooledBackup.spool(stream.bytes(), decryption);
      }
      try (InputStream in = Files.newInputStream(shown)) {
        return SpooledBackup.spool(in, decryption);
      }
    } catch (ReadableBackup.CorruptCompression e) {
      throw new SqlbakException(SqlbakException.Kind.BAD_BACKUP, "backup is bad", shown + ": " + e.getMessage(),
          "the target was not touched", e);
    } catch (SpooledBackup.StreamFailure e) {
      throw SqlbakException.failed("cannot read backup", shown, Failures.reason(e) + "; the target was not touched",
          e);
    } catch (IOException e) {
      if (Failures.isUndecrypted(e)) {
        throw Failures.undecrypted(e, shown, "the target was not touched");
      }
      Path scratch = ReadableBackup.scratchFolder();
      if (AtomicDestination.isNoSpace(e)) {
        throw SqlbakException.failed("scratch folder is full", scratch, "the backup read from " + shown
            + " must fit there first; set TMPDIR to a folder with room; the target was not touched", e);
      }
      throw SqlbakException.failed("cannot read backup", shown, Failures.reason(e)
          + "; the target was not touched", e);
    }
  }
}
