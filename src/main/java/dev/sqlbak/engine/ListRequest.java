package dev.sqlbak.engine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which backups to list: those in a folder, all of them or only those of one name.
 *
 * @param folder the folder that holds the backups
 * @param stem only the backups of this name ({@code app} for {@code app-20261124T030000Z.db}); empty for every name
 */
public record ListRequest(Path folder, Optional<String> stem) {
  public ListRequest {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(stem, "stem");
    stem.ifPresent(BackupFolder::requireStem);
  }

  /** Lists every backup in {@code folder}. */
  public static ListRequest of(Path folder) {
    return new ListRequest(folder, Optional.empty());
  }

  public ListRequest withStem(String newStem) {
    return new ListRequest(folder, Optional.of(newStem));
  }
}
