package dev.sqlbak.age;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.FileSizeLimit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * A new age X25519 identity written to a file in age-keygen's layout, owner-only from its first
 * moment, complete or not at all; the record holds the file and its public key ({@code age1…}).
 *
 * @param file the key file, as it was named
 * @param publicKey the recipient that encrypts to this identity, {@code age1…}
 */
public record KeyPairFile(Path file, String publicKey) {
  /** Read and write for the owner: the file holds a secret key from the moment it exists. */
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions.asFileAttribute(
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  /** What a failure's line ends with once the file this run created is removed again. */
  private static final String REMOVED = "no key file was left behind";

  /** Generates a key pair and writes it to {@code file}, which must not exist (not even as a symlink). */
  public static KeyPairFile create(Path file) {
    return create(file, Clock.systemUTC());
  }

  /** As {@link #create(Path)}, with the {@code # created:} time read from {@code clock}. */
  static KeyPairFile create(Path file, Clock clock) {
    KeyPair pair = generate();
    String publicKey = pair.getPublic().toString();
    String created = DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
    // age-keygen's layout, which age -i, age-keygen -y and sqlbak --identity all read.
    byte[] text = ("# created: " + created + "\n# public key: " + publicKey + "\n" + pair.getPrivate() + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    try {
      write(file, text);
    } finally {
      // The String of the secret stays to the garbage collector; this copy at least does not.
      Arrays.fill(text, (byte) 0);
    }
    return new KeyPairFile(file, publicKey);
  }

  private static KeyPair generate() {
    try {
      return new X25519KeyPairGenerator().generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw SqlbakException.failed("cannot generate an age key", "X25519: " + e.getMessage(),
          "this Java offers no X25519 (XDH) key agreement", e);
    }
  }

  /**
   * Creates {@code file} with {@code text}: O_CREAT|O_EXCL with mode 0600 in the one open(2), so
   * the secret is never readable by others and nothing that exists is followed or overwritten (an
   * existing symlink, even a dangling one, fails it); then fsyncs the file and its folder.
   */
  private static void write(Path file, byte[] text) {
    FileChannel channel = open(file);
    try (channel) {
      ByteBuffer buffer = ByteBuffer.wrap(text);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException e) {
      throw failure("cannot write key file", file, e, remove(file, e));
    } catch (RuntimeException | Error e) {
      remove(file, e);
      throw e;
    }
    fsyncFolder(folderOf(file));
  }

  private static FileChannel open(Path file) {
    try {
      // O_EXCL alone already refuses any symlink; O_NOFOLLOW says so where it is read.
      return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), OWNER_ONLY);
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
        throw SqlbakException.failed("key file is a folder", file, "name a file, e.g. " + file.resolve("sqlbak.key"));
      }
      throw SqlbakException.failed("key file exists", file, "a key is never overwritten: choose another name");
    } catch (NoSuchFileException e) {
      Path folder = folderOf(file);
      if (!Files.isDirectory(folder)) {
        throw SqlbakException.failed("key folder does not exist", folder, "create it first");
      }
      throw SqlbakException.failed("cannot create key file", file, Failures.reason(e), e);
    } catch (IOException e) {
      throw failure("cannot create key file", file, e, "nothing was written");
    } catch (UnsupportedOperationException e) {
      // Only where the filesystem API has no POSIX modes: a secret must not get a default one.
      throw SqlbakException.failed("cannot create key file", file,
          "this filesystem cannot create it readable by its owner only", e);
    }
  }

  /**
   * Removes the file this run created and could not complete, so that a key file is complete or
   * absent; returns what the user's line says about it.
   */
  private static String remove(Path file, Throwable failure) {
    try {
      Files.deleteIfExists(file);
      return REMOVED;
    } catch (IOException e) {
      failure.addSuppressed(e);
      return "the incomplete key file could not be removed (" + Failures.reason(e) + "): delete it";
    }
  }

  /** A full disk and the file size limit named as such, else the OS's reason; then {@code outcome}. */
  private static SqlbakException failure(String what, Path file, IOException e, String outcome) {
    if (AtomicDestination.isNoSpace(e)) {
      return SqlbakException.failed("key folder is full", folderOf(file), "free some space; " + outcome, e);
    }
    if (AtomicDestination.isFileTooLarge(e)) {
      OptionalLong limit = FileSizeLimit.bytes();
      return SqlbakException.failed("key file exceeds the file size limit", file,
          (limit.isPresent() ? "ulimit -f allows " + limit.getAsLong() + " bytes per file" : "ulimit -f")
              + "; raise it; " + outcome, e);
    }
    return SqlbakException.failed(what, file, Failures.reason(e) + "; " + outcome, e);
  }

  /** The folder {@code file} is created in; the working directory for a bare name. */
  private static Path folderOf(Path file) {
    return file.toAbsolutePath().getParent();
  }

  /** Makes the new name itself durable: without it a crash could keep the data but lose the entry. */
  private static void fsyncFolder(Path folder) {
    try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some filesystems refuse fsync on a folder; the file itself is complete and synced.
      LoggerFactory.getLogger(KeyPairFile.class).debug("cannot fsync folder {}", folder, e);
    }
  }
}
