package dev.sqlbak.payload;

import java.io.OutputStream;

/**
 * Whether a backup's published bytes are encrypted, and how: not at all, or as an age file to its
 * recipients. The payload pass writes through {@link #encrypting}, between compression and the
 * hash, so that the sidecar's hash is of the bytes as written.
 */
public interface Encryption {
  /** No encryption: the bytes are published as compressed. */
  Encryption NONE = new Encryption() {
    @Override
    public OutputStream encrypting(OutputStream out) {
      return out;
    }

    @Override
    public String suffix() {
      return "";
    }

    @Override
    public int recipients() {
      return 0;
    }
  };

  /**
   * Wraps {@code out} so that what is written to it is stored encrypted. Closing the returned
   * stream finishes the encrypted file (an age file's last chunk is marked as the last), so it is
   * closed only once everything was written: a stream cut short must not look complete.
   */
  OutputStream encrypting(OutputStream out) throws java.io.IOException;

  /** The file-name suffix that follows any compression suffix: {@code .age}, or empty. */
  String suffix();

  /** How many recipients can decrypt the backup; 0 when it is not encrypted. */
  int recipients();

  /** Whether the bytes are encrypted. */
  default boolean encrypts() {
    return recipients() > 0;
  }
}
