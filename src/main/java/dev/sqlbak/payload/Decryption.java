package dev.sqlbak.payload;

import java.io.IOException;
import java.io.InputStream;

/**
 * How a reader opens an age-encrypted backup: with the identities the user gave ({@code
 * --identity}), or, without any, not at all. A reader recognises an encrypted backup by its first
 * bytes ({@link #HEADER}) and only then asks for its decryption.
 */
public interface Decryption {
  /** The first bytes of every binary age file (age-encryption.org/v1). */
  byte[] HEADER = "age-encryption.org/v1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** The first bytes of an ASCII-armored age file, which sqlbak neither writes nor reads. */
  byte[] ARMORED = "-----BEGIN AGE ENCRYPTED FILE-----".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** How many first bytes tell an age file (binary or armored) from anything else. */
  int HEAD_BYTES = ARMORED.length;

  /** No identity was given: an encrypted backup cannot be opened. */
  Decryption NONE = ciphertext -> {
    throw new IdentityMissing();
  };

  /**
   * Wraps {@code ciphertext}, an age file from its first byte, so that reading gives the plain
   * bytes. The header is read and authenticated at once; each chunk is authenticated as it is read,
   * and the end of the stream only once the last chunk was found, so a stream cut short fails.
   *
   * @throws IdentityMissing if no identity was given
   * @throws WrongIdentity if none of the identities can open it
   * @throws DamagedCiphertext if the header is damaged or the file is not an age file
   */
  InputStream decrypting(InputStream ciphertext) throws IOException;

  /** Whether {@code head}'s first {@code n} bytes start an age file, binary or armored. */
  static boolean isAge(byte[] head, int n) {
    return startsWith(head, n, HEADER) || startsWith(head, n, ARMORED);
  }

  /** Whether {@code head}'s first {@code n} bytes start an ASCII-armored age file. */
  static boolean isArmored(byte[] head, int n) {
    return startsWith(head, n, ARMORED);
  }

  private static boolean startsWith(byte[] head, int n, byte[] magic) {
    return Math.min(n, head.length) >= magic.length && java.util.Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
  }

  /** The backup is encrypted and no {@code --identity} was given. */
  final class IdentityMissing extends IOException {
    private static final long serialVersionUID = 1L;

    IdentityMissing() {
      super("encrypted with age, and no identity was given");
    }
  }

  /** None of the identities given can open the backup (it was encrypted to other keys). */
  final class WrongIdentity extends IOException {
    private static final long serialVersionUID = 1L;
    private final String hint;

    /** None of {@code tried} identities matches any of the file's recipients. */
    public WrongIdentity(int tried, Throwable cause) {
      this(tried == 1 ? "the identity given does not open it" : "none of the " + tried + " identities given opens it",
          "it was encrypted to other keys; give --identity with one of them", cause);
    }

    /** The file cannot be opened with any identity, for the reason {@code message} gives. */
    public WrongIdentity(String message, String hint, Throwable cause) {
      super(message, cause);
      this.hint = hint;
    }

    /** What the user can do about it. */
    public String hint() {
      return hint;
    }
  }

  /** The encrypted data is damaged, cut short or not an age file: the backup is bad. */
  final class DamagedCiphertext extends IOException {
    private static final long serialVersionUID = 1L;

    public DamagedCiphertext(String what, Throwable cause) {
      super(what, cause);
    }
  }
}
