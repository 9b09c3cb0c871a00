package dev.sqlbak.age;

import dev.sqlbak.payload.Decryption;
import dev.sqlbak.payload.Encryption;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns what the user gave into the payload's encryption and decryption. The age library loads
 * only here, and only when keys were given: a run without them never touches it.
 */
public final class AgeKeys {
  private AgeKeys() {}

  /**
   * The encryption to {@code recipients}, every one parsed and every file read now, before anything
   * is copied: a bad recipient stops the run (fail closed, never a plain-text fallback).
   *
   * @throws dev.sqlbak.engine.SqlbakException exit 2 for a malformed {@code --encrypt-to} value,
   *     exit 1 for a recipients file that cannot be read or holds a malformed line
   */
  public static Encryption encryption(Recipients recipients) {
    return recipients.isEmpty() ? Encryption.NONE : AgeEncryption.of(recipients);
  }

  /**
   * The decryption with the identities in {@code identityFiles}, each read and parsed now; {@link
   * Decryption#NONE} when there are none.
   *
   * @throws dev.sqlbak.engine.SqlbakException exit 1 for a file that cannot be read or holds no identity
   */
  public static Decryption decryption(List<Path> identityFiles) {
    return identityFiles.isEmpty() ? Decryption.NONE : AgeDecryption.of(identityFiles);
  }
}
