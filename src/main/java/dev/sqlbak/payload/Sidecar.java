package dev.sqlbak.payload;

import java.nio.file.Path;

/** The {@code .sha256} file beside each backup, in the format {@code sha256sum -c} reads. */
public final class Sidecar {
  /** What a sidecar's name adds to its backup's. */
  public static final String SUFFIX = ".sha256";

  private Sidecar() {}

  /** The checksum file beside a backup: {@code <backup>.sha256}. */
  public static Path of(Path backup) {
    return backup.resolveSibling(backup.getFileName() + SUFFIX);
  }

  /** The sidecar's content for a backup named {@code name} whose bytes hash to {@code sha256}. */
  public static String line(String sha256, String name) {
    return sha256 + "  " + name + "\n";
  }
}
