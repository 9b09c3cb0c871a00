package dev.sqlbak.engine;

import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.LocalFolderStore;
import dev.sqlbak.storage.LocalPath;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import dev.sqlbak.storage.s3.S3Store;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The checks shared by the commands that take a folder of backups (prune, list, verify DIR). */
final class BackupFolder {
  private BackupFolder() {}

  /** The folder as a store, refusing one that is missing or not a folder, in the same words for every command. */
  static LocalFolderStore existing(Path folder) {
    if (!Files.exists(folder)) {
      throw SqlbakException.failed("directory not found", folder, null);
    }
    if (!Files.isDirectory(folder)) {
      throw SqlbakException.failed("not a directory", folder, "name the folder that holds the backups");
    }
    return new LocalFolderStore(folder);
  }

  /**
   * The folder or S3 prefix {@code location} as a store: a local folder as {@link #existing(Path)}
   * says; a prefix once the bucket has answered a listing (a prefix holding nothing is an empty
   * folder: S3 has no folders to be missing).
   */
  static BackupStore existing(Location location, S3Options s3) {
    if (location instanceof LocalPath local) {
      return existing(local.path());
    }
    return s3Prefix(((S3Location) location).asPrefix(), s3);
  }

  /** The store of an S3 prefix, its bucket and credentials checked by one listing. */
  static S3Store s3Prefix(S3Location prefix, S3Options s3) {
    try {
      return S3Store.open(prefix.asPrefix(), s3);
    } catch (RemoteFailure e) {
      throw Failures.remote(e);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot reach S3", prefix, Failures.reason(e), e);
    }
  }

  /**
   * Refuses a {@code --stem} that cannot be the name part of a backup in the folder: empty, or a
   * path, which would otherwise quietly match nothing.
   */
  static void requireStem(String stem) {
    if (stem.isEmpty() || stem.contains("/") || stem.contains(File.separator)) {
      throw SqlbakException.usage("invalid --stem", "'" + stem + "'",
          "give the name part before -<timestamp>, such as app for app-20261124T030000Z.db");
    }
  }
}
