package dev.sqlbak.payload;

import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.DataMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;

/**
 * Reads a backup that arrives as a stream (stdin, a pipe, a FIFO) into a private scratch file, so
 * that SQLite can open it: a stream cannot be sized, sought in or read twice. Encryption and
 * compression are told by the first bytes, as for files; the scratch file is owner-only, in {@link
 * ReadableBackup#scratchFolder()}, and removed when the returned backup is closed or when SIGINT or
 * SIGTERM ends the run (it is an {@link AtomicDestination}'s file, which the shutdown hook
 * removes).
 */
public final class SpooledBackup {
  private SpooledBackup() {}

  /**
   * Reads {@code in} to its end into a scratch file, decrypting and decompressing it as its first
   * bytes say, and returns it opened. An empty stream gives an empty file, which the backup's check
   * finds bad, as any 0-byte backup.
   *
   * @throws ReadableBackup.CorruptCompression if the compressed data is damaged or cut short
   * @throws Decryption.DamagedCiphertext if the encrypted data is damaged or cut short
   * @throws Decryption.IdentityMissing if it is encrypted and no identity was given
   * @throws Decryption.WrongIdentity if no identity given opens it
   * @throws StreamFailure if reading the stream itself failed
   * @throws IOException if the scratch file could not be written (a full disk)
   */
  public static ReadableBackup spool(InputStream in, Decryption decryption) throws IOException {
    StoredBytes.Recording raw = new StoredBytes.Recording(in);
    AtomicDestination scratch = AtomicDestination.create(ReadableBackup.scratchFolder(), DataMode.OWNER_ONLY);
    try {
      StoredBytes.Decoded decoded;
      try (OutputStream out = Files.newOutputStream(scratch.file())) {
        decoded = StoredBytes.decode(raw, decryption, out);
      }
      return new ReadableBackup(scratch.file(), decoded, scratch);
    } catch (IOException | RuntimeException e) {
      scratch.close();
      if (raw.failure != null) {
        throw new StreamFailure(raw.failure);
      }
      throw e;
    }
  }

  /** Reading the stream itself failed (not its content): the backup may be fine, the pipe was not. */
  public static final class StreamFailure extends IOException {
    private static final long serialVersionUID = 1L;

    StreamFailure(IOException cause) {
      super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
    }
  }
}
