package dev.sqlbak.age;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.payload.Encryption;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Encryption to X25519 age recipients, as {@code age -r} does it (binary, not armored). */
final class AgeEncryption implements Encryption {
  private static final String X25519_HINT = "an age recipient is age1 and 58 more characters, as age-keygen"
      + " and sqlbak keygen print it";

  private final List<RecipientStanzaWriter> writers;

  private AgeEncryption(List<RecipientStanzaWriter> writers) {
    this.writers = List.copyOf(writers);
  }

  /** Parses every recipient now; a key given twice counts once. */
  static Encryption of(Recipients recipients) {
    Map<String, RecipientStanzaWriter> byKey = new LinkedHashMap<>();
    for (String key : recipients.keys()) {
      byKey.computeIfAbsent(key, k -> optionValue(k));
    }
    for (Path file : recipients.files()) {
      for (KeyLines.Line line : KeyLines.of(file, "recipients file")) {
        byKey.computeIfAbsent(line.text(), k -> fileLine(file, line));
      }
    }
    return new AgeEncryption(new ArrayList<>(byKey.values()));
  }

  /**
   * Wraps a key for one recipient once, into nothing: a key that parses but cannot be used (a
   * low-order point, which X25519 refuses) is found now, not after the source was copied.
   */
  private static void tryWrapping(RecipientStanzaWriter writer) throws GeneralSecurityException {
    try {
      new StandardEncryptingChannelFactory().newEncryptingChannel(
          Channels.newChannel(OutputStream.nullOutputStream()), List.of(writer));
    } catch (IOException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static RecipientStanzaWriter optionValue(String key) {
    if (key.toUpperCase(Locale.ROOT).startsWith("AGE-SECRET-KEY-")) {
      // Not echoed: it is a secret.
      throw SqlbakException.usage("--encrypt-to takes a public key, not a secret key", "(value not shown)",
          "give its age1… public key: age-keygen -y KEYFILE prints it");
    }
    RecipientStanzaWriter writer;
    try {
      writer = X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(key);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw SqlbakException.usage("malformed age recipient", "'" + key + "'", typeHint(key));
    }
    try {
      tryWrapping(writer);
    } catch (GeneralSecurityException e) {
      throw SqlbakException.usage("unusable age recipient", "'" + key + "'", "X25519 refuses it ("
          + e.getMessage() + "); it is no key age-keygen makes");
    }
    return writer;
  }

  private static RecipientStanzaWriter fileLine(Path file, KeyLines.Line line) {
    String key = line.text();
    if (key.toUpperCase(Locale.ROOT).startsWith("AGE-SECRET-KEY-")) {
      throw SqlbakException.failed("recipients file holds a secret key", file + " line " + line.number(),
          "a recipients file lists public keys (age1…): age-keygen -y KEYFILE prints one");
    }
    try {
      RecipientStanzaWriter writer = X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(key);
      tryWrapping(writer);
      return writer;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw SqlbakException.failed("malformed recipient in recipients file", file + " line " + line.number(),
          typeHint(key));
    }
  }

  /** What to say of a value that is no X25519 recipient: the other kinds age knows are named. */
  private static String typeHint(String key) {
    if (key.startsWith("\uFEFF")) {
      return "remove the byte-order mark (BOM) at the start of the file; " + X25519_HINT;
    }
    if (key.startsWith("ssh-")) {
      return "sqlbak encrypts to X25519 age1… keys only, not SSH keys";
    }
    if (key.startsWith("age1pq1") || key.matches("age1[a-z0-9]+1.*") && key.length() != 62) {
      return "sqlbak encrypts to X25519 age1… keys only, not post-quantum or plugin recipients";
    }
    if (!key.equals(key.strip())) {
      return "remove the spaces around it; " + X25519_HINT;
    }
    return X25519_HINT;
  }

  @Override
  public OutputStream encrypting(OutputStream out) throws IOException {
    try {
      return Channels.newOutputStream(new StandardEncryptingChannelFactory()
          .newEncryptingChannel(Channels.newChannel(out), writers));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot encrypt: " + e.getMessage(), e);
    }
  }

  @Override
  public String suffix() {
    return ".age";
  }

  @Override
  public int recipients() {
    return writers.size();
  }
}
