package dev.sqlbak.engine;

import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.Encryption;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.S3Location;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Decides what an {@code s3://} backup destination is, as {@link BackupTarget} does for a path:
 * a prefix (a folder of timestamped backups) when it ends in a slash, names the whole bucket, or
 * already holds objects under {@code key/}; else one object, which must not exist unless
 * {@code --force}. The bucket is reached (and the credentials tried) before the source is opened.
 */
final class RemoteTarget {
  private RemoteTarget() {}

  static BackupTarget resolve(BackupRequest request, Encryption encryption) {
    S3Location dest;
    try {
      dest = S3Location.parse(request.destination());
    } catch (IllegalArgumentException e) {
      throw SqlbakException.usage("invalid destination", request.destination(), e.getMessage());
    }
    BackupTarget target = dest.namesPrefix() ? prefix(request, dest, encryption)
        : objectOrPrefix(request, dest, encryption);
    target.checkCombinations(request);
    target.checkNames(request);
    return target;
  }

  private static BackupTarget prefix(BackupRequest request, S3Location prefix, Encryption encryption) {
    BackupStore store = BackupFolder.s3Prefix(prefix, request.s3());
    return new BackupTarget(BackupTarget.Kind.DIRECTORY,
        BackupTarget.compressionOf(request, BackupTarget.Kind.DIRECTORY, null), prefix, store, encryption);
  }

  /** {@code s3://bucket/key}: an object, unless objects under {@code key/} make it a folder already. */
  private static BackupTarget objectOrPrefix(BackupRequest request, S3Location dest, Encryption encryption) {
    BackupStore parent = BackupFolder.s3Prefix(dest.parent(), request.s3());
    try {
      boolean destExists = parent.exists(dest.fileName());
      if (!destExists) {
        BackupStore under = BackupFolder.s3Prefix(dest.asPrefix(), request.s3());
        if (!under.list().isEmpty()) {
          return new BackupTarget(BackupTarget.Kind.DIRECTORY,
              BackupTarget.compressionOf(request, BackupTarget.Kind.DIRECTORY, null), dest.asPrefix(), under,
              encryption);
        }
      }
      Compression compression = BackupTarget.compressionOf(request, BackupTarget.Kind.FILE, Path.of(dest.fileName()));
      String name = BackupTarget.fileNameFor(request, dest.fileName(), compression, encryption);
      S3Location object = name.equals(dest.fileName()) ? dest
          : new S3Location(dest.bucket(), dest.key().substring(0, dest.key().length() - dest.fileName().length()) + name);
      if (request.schemas().size() > 1) {
        throw SqlbakException.failed("several schemas need a directory destination", object,
            "name a prefix ending in /; each schema gets its own timestamped object there");
      }
      // One request fewer when the name needed no suffix: the object is the one just looked up.
      boolean taken = object.equals(dest) ? destExists : parent.exists(object.fileName());
      if (!request.force() && taken) {
        throw SqlbakException.failed("destination exists", object, "use --force to replace it");
      }
      return new BackupTarget(BackupTarget.Kind.FILE, compression, object, parent, encryption);
    } catch (IOException e) {
      throw Failures.store("cannot reach destination", parent, e);
    }
  }
}
