package dev.sqlbak.age;

import com.exceptionfactory.jagged.PayloadException;
import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.UnsupportedRecipientStanzaException;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.payload.Decryption;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Decryption of age files with X25519 identities, binary or ASCII-armored, as {@code age -d -i} does it. */
final class AgeDecryption implements Decryption {
  private static final String IDENTITY_HINT = "an age identity line starts AGE-SECRET-KEY-1, as age-keygen and"
      + " sqlbak keygen write it";

  /** What a chunk that fails authentication means; the library's words (a counter) go to --verbose. */
  private static final String DAMAGED = "damaged or truncated age data (a chunk fails authentication)";

  /** How much of a file's start is read to recognise it; the header's first stanza fits in it. */
  private static final int HEADER_PEEK = 512;

  private final List<RecipientStanzaReader> readers;

  private AgeDecryption(List<RecipientStanzaReader> readers) {
    this.readers = List.copyOf(readers);
  }

  /** Reads and parses every identity in {@code files} now. */
  static Decryption of(List<Path> files) {
    List<RecipientStanzaReader> readers = new ArrayList<>();
    for (Path file : files) {
      for (KeyLines.Line line : KeyLines.of(file, "identity file")) {
        readers.add(identity(file, line));
      }
    }
    return new AgeDecryption(readers);
  }

  private static RecipientStanzaReader identity(Path file, KeyLines.Line line) {
    String key = line.text();
    String where = file + " line " + line.number();
    if (key.startsWith("age1")) {
      throw SqlbakException.failed("identity file holds a public key, not a secret key", where,
          "give the key file itself (age-keygen -o or sqlbak keygen wrote it)");
    }
    if (key.startsWith("-----BEGIN") || key.startsWith("ssh-")) {
      throw SqlbakException.failed("unsupported identity", where, "sqlbak reads X25519 age identities, not SSH keys");
    }
    if (key.startsWith("\uFEFF")) {
      throw SqlbakException.failed("malformed identity in identity file", where,
          "remove the byte-order mark (BOM) at the start of the file");
    }
    try {
      // age writes identities in upper case; Bech32 allows either case, the library only upper.
      return X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(key.toUpperCase(Locale.ROOT));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw SqlbakException.failed("malformed identity in identity file", where, IDENTITY_HINT);
    }
  }

  @Override
  public InputStream decrypting(InputStream ciphertext) throws IOException {
    BufferedInputStream in = new BufferedInputStream(ciphertext, 1 << 16);
    // The header's first stanzas: enough to tell armor, and a passphrase file, by their words.
    in.mark(HEADER_PEEK);
    byte[] head = in.readNBytes(HEADER_PEEK);
    in.reset();
    ReadableByteChannel channel;
    try {
      channel = (Decryption.isArmored(head, head.length) ? new ArmoredDecryptingChannelFactory()
          : new StandardDecryptingChannelFactory()).newDecryptingChannel(Channels.newChannel(in), readers);
    } catch (UnsupportedRecipientStanzaException e) {
      if (hasCause(e, SignatureException.class)) {
        throw new DamagedCiphertext("damaged age header: " + e.getMessage(), e);
      }
      if (new String(head, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\n-> scrypt ")) {
        throw new WrongIdentity("it is encrypted with a passphrase (age -p), which sqlbak cannot ask for",
            "decrypt it with age -d first, or back up with --encrypt-to", e);
      }
      throw new WrongIdentity(readers.size(), e);
    } catch (GeneralSecurityException e) {
      throw new DamagedCiphertext("damaged age header: " + e.getMessage(), e);
    } catch (IOException e) {
      throw damagedOrNot(e);
    }
    return new Authenticated(Channels.newInputStream(channel));
  }

  /**
   * A read failure as the user should hear it: the library's own (a chunk that fails
   * authentication, armor cut short or badly encoded) means damaged data; any other is the
   * underlying stream's (a disk, a pipe), passed on as it is.
   */
  private static IOException damagedOrNot(IOException e) {
    if (e instanceof PayloadException || e.getClass().getName().startsWith("com.exceptionfactory.jagged.")) {
      return new DamagedCiphertext(DAMAGED, e);
    }
    return e;
  }

  /** Whether {@code e} or anything suppressed in it is a {@code type}: one identity met a damaged header. */
  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    if (type.isInstance(e)) {
      return true;
    }
    for (Throwable s : e.getSuppressed()) {
      if (hasCause(s, type)) {
        return true;
      }
    }
    return e.getCause() != null && e.getCause() != e && hasCause(e.getCause(), type);
  }

  /** The plain bytes, with a failed authentication of a chunk said as damaged data. */
  private static final class Authenticated extends FilterInputStream {
    Authenticated(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw damagedOrNot(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw damagedOrNot(e);
      }
    }
  }
}
