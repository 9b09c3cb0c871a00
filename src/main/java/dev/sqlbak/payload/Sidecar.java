package dev.sqlbak.payload;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code .sha256} file beside each backup, in the format {@code sha256sum -c} reads: the
 * backup's provenance as {@code # } comment lines, then {@code <hex>  <name>}.
 *
 * @param sha256 the hash the sidecar holds, lower case; empty if it holds none
 * @param name the file name it names; empty if none
 * @param provenance where the backup came from, if the sidecar says (older ones do not)
 */
public record Sidecar(String sha256, String name, Optional<Provenance> provenance) {
  /** What a sidecar's name adds to its backup's. */
  public static final String SUFFIX = ".sha256";

  /** The checksum file beside a backup: {@code <backup>.sha256}. */
  public static Path of(Path backup) {
    return backup.resolveSibling(backup.getFileName() + SUFFIX);
  }

  /** The sidecar's text for a backup named {@code name} whose bytes hash to {@code sha256}. */
  public static String text(String sha256, String name, Provenance provenance) {
    return provenance.lines() + sha256 + "  " + name + "\n";
  }

  /**
   * Reads a sidecar's text: comment lines ({@code # key: value}) and the first hash line. Never
   * fails: what it cannot read is absent.
   */
  public static Sidecar parse(String text) {
    Map<String, String> fields = new HashMap<>();
    String sha256 = "";
    String name = "";
    for (String line : text.split("\n")) {
      String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (l.startsWith("#")) {
        int colon = l.indexOf(": ");
        if (l.startsWith("# ") && colon > 2) {
          fields.putIfAbsent(l.substring(2, colon), l.substring(colon + 2));
        }
      } else if (!l.isBlank() && sha256.isEmpty()) {
        String[] parts = l.trim().split("\\s+", 2);
        sha256 = parts[0].toLowerCase(Locale.ROOT);
        name = parts.length > 1 ? parts[1].replaceFirst("^\\*", "") : "";
      }
    }
    return new Sidecar(sha256, name, Provenance.of(fields));
  }

  /** Whether the sidecar holds something that looks like a SHA-256. */
  public boolean holdsSha256() {
    return sha256.matches("[0-9a-f]{64}");
  }
}
