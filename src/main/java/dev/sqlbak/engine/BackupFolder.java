package dev.sqlbak.engine;

import dev.sqlbak.storage.LocalFolderStore;
import java.io.File;
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
