package dev.sqlbak.engine;

import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Options;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which backups to list: those in a folder, all of them or only those of one name.
 *
 * @param folder the folder or S3 prefix that holds the backups
 * @param stem only the backups of this name ({@code app} for {@code app-20261124T030000Z.db}); empty for every name
 * @param s3 how to reach S3, for an {@code s3://} folder
 */
public record ListRequest(Location folder, Optional<String> stem, S3Options s3) {
  public ListRequest {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(stem, "stem");
    Objects.requireNonNull(s3, "s3");
    stem.ifPresent(BackupFolder::requireStem);
  }

  /** Lists every backup in {@code folder}. */
  public static ListRequest of(Path folder) {
    return of(Location.of(folder));
  }

  /** Lists every backup in {@code folder}, a local folder or an S3 prefix reached as the SDK's chains say. */
  public static ListRequest of(Location folder) {
    return new ListRequest(folder, Optional.empty(), S3Options.DEFAULTS);
  }

  public ListRequest withStem(String newStem) {
    return new ListRequest(folder, Optional.of(newStem), s3);
  }

  public ListRequest withS3(S3Options newS3) {
    return new ListRequest(folder, stem, newS3);
  }
}
