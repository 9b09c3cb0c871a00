package dev.sqlbak;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An age key pair for tests, made with the same library sqlbak uses (the interoperability tests
 * use the age CLI instead), and what tests ask of encrypted output: its plain text, and whether
 * any plain text was left anywhere.
 *
 * @param recipient the public key, {@code age1…}
 * @param identityFile the secret key's file, in age-keygen's layout
 * @param secret the secret key, {@code AGE-SECRET-KEY-1…}
 */
public record TestAgeKeys(String recipient, Path identityFile, String secret) {
  /** The first bytes of every SQLite database file. */
  public static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  /** A new key pair whose identity file is {@code dir/name}. */
  public static TestAgeKeys in(Path dir, String name) throws Exception {
    KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
    Path file = dir.resolve(name);
    String recipient = pair.getPublic().toString();
    String secret = pair.getPrivate().toString();
    Files.writeString(file, "# created: 2026-12-04T00:00:00Z\n# public key: " + recipient + "\n" + secret + "\n");
    return new TestAgeKeys(recipient, file, secret);
  }

  /** The plain bytes of the age file {@code file}, decrypted with this identity; fails on damage. */
  public byte[] decrypt(Path file) throws Exception {
    RecipientStanzaReader reader = X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(secret);
    try (InputStream in = Channels.newInputStream(new StandardDecryptingChannelFactory()
        .newDecryptingChannel(Files.newByteChannel(file), List.of(reader)))) {
      return in.readAllBytes();
    }
  }

  /** Decrypts the age file {@code file} into {@code out}, decompressing zstd or gzip as its bytes say; returns out. */
  public Path decryptTo(Path file, Path out) throws Exception {
    byte[] plain = decrypt(file);
    Path raw = out.resolveSibling(out.getFileName() + ".raw");
    Files.write(raw, plain);
    dev.sqlbak.payload.Compression c = dev.sqlbak.payload.Compression.sniff(raw);
    try (InputStream in = c.decompressing(Files.newInputStream(raw))) {
      Files.copy(in, out);
    }
    Files.delete(raw);
    return out;
  }

  /**
   * The regular files under {@code roots} that hold plain text of a database: SQLite's header
   * anywhere in them, or a gzip or zstd stream (a compressed plain copy). Missing roots are skipped.
   */
  public static List<Path> plainTextUnder(Path... roots) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        // The SQLite library itself holds the header's string: a JVM whose first use of SQLite
        // came while a test's folder was its temporary folder put the driver's copy there.
        for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
            .filter(p -> !p.getFileName().toString().endsWith(".so")).toList()) {
          if (holdsPlainText(f)) {
            found.add(f);
          }
        }
      }
    }
    return found;
  }

  private static boolean holdsPlainText(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return false; // removed meanwhile
    }
    if (bytes.length >= 4 && (bytes[0] == 0x1f && bytes[1] == (byte) 0x8b
        || bytes[0] == 0x28 && bytes[1] == (byte) 0xb5 && bytes[2] == 0x2f && bytes[3] == (byte) 0xfd)) {
      return true;
    }
    outer:
    for (int i = 0; i + SQLITE_HEADER.length <= bytes.length; i++) {
      for (int j = 0; j < SQLITE_HEADER.length; j++) {
        if (bytes[i + j] != SQLITE_HEADER[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
