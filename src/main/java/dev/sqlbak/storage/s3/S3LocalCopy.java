package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.DataMode;
import dev.sqlbak.storage.RemoteFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Objects downloaded into a private folder of the scratch folder ({@code .sqlbak-<token>.local/},
 * 0700, files 0600) under their own names, so that a check comparing a file's name with its
 * sidecar's finds them as in the store. The folder belongs to an {@link AtomicDestination}, whose
 * lock marks it as a live run's; closing removes it.
 */
final class S3LocalCopy implements BackupStore.LocalCopy {
  private static final Logger LOG = LoggerFactory.getLogger(S3LocalCopy.class);
  private static final String SUFFIX = "local";
  private static final Pattern FOLDER = Pattern.compile("\\.sqlbak-([0-9a-f]{16})\\." + SUFFIX);

  private final AtomicDestination owner;
  private final Path folder;
  private final Path file;

  private S3LocalCopy(AtomicDestination owner, Path folder, Path file) {
    this.owner = owner;
    this.folder = folder;
    this.file = file;
  }

  /**
   * Downloads {@code name} and those of its companions that exist into a new private folder of
   * {@code scratch}.
   *
   * @throws NoSuchFileException if there is no object {@code name}
   */
  static S3LocalCopy download(S3Prefix prefix, Path scratch, String name, String... companionSuffixes)
      throws IOException {
    AtomicDestination owner = AtomicDestination.create(scratch, DataMode.OWNER_ONLY);
    Path folder = owner.file(SUFFIX);
    S3LocalCopy copy = new S3LocalCopy(owner, folder, folder.resolve(name));
    try {
      Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (!fetch(prefix, name, copy.file)) {
        throw new NoSuchFileException(prefix.describe(name));
      }
      for (String suffix : companionSuffixes) {
        fetch(prefix, name + suffix, folder.resolve(name + suffix));
      }
      return copy;
    } catch (IOException | RuntimeException e) {
      copy.close();
      throw e;
    }
  }

  /** Downloads {@code name} into {@code target}; false if there is no such object. */
  private static boolean fetch(S3Prefix prefix, String name, Path target) throws IOException {
    long written;
    long expected;
    try (ResponseInputStream<GetObjectResponse> in = prefix.client().getObject(r -> r.bucket(prefix.bucket())
        .key(prefix.key(name)));
        OutputStream out = Channels.newOutputStream(Files.newByteChannel(target,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), DataMode.OWNER_ONLY.attributes()))) {
      expected = in.response().contentLength() == null ? -1 : in.response().contentLength();
      written = copy(in, out);
    } catch (SdkException e) {
      if (S3Errors.isMissingKey(e)) {
        return false;
      }
      throw prefix.fail(e, S3Operation.GET_OBJECT, name);
    }
    if (expected >= 0 && written != expected) {
      throw new RemoteFailure(RemoteFailure.Kind.INTEGRITY, "download ended early: " + written + " of " + expected
          + " bytes", prefix.describe(name), "run again", null);
    }
    return true;
  }

  private static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
      total += n;
    }
    return total;
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    removeFolder(folder);
    owner.close();
  }

  /**
   * Removes the download folders of dead runs from {@code scratch}: the scratch folder's own sweep
   * removes their lock files but cannot remove a folder with files in it. A folder whose lock file
   * is gone is a dead run's, since a live run makes its lock file first and removes it last.
   */
  static void sweepOrphans(Path scratch) {
    AtomicDestination.sweepStale(scratch);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(scratch, ".sqlbak-*." + SUFFIX)) {
      for (Path entry : entries) {
        var m = FOLDER.matcher(entry.getFileName().toString());
        if (m.matches() && !Files.exists(scratch.resolve(".sqlbak-" + m.group(1) + ".lock"), LinkOption.NOFOLLOW_LINKS)) {
          removeFolder(entry);
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot list {} for download folders", scratch, e);
    }
  }

  private static void removeFolder(Path folder) {
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        Files.deleteIfExists(entry);
      }
      Files.deleteIfExists(folder);
    } catch (IOException e) {
      LOG.debug("cannot remove {}", folder, e);
    }
  }
}
