package dev.sqlbak.payload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a backup came from, as its sidecar records it in {@code # key: value} comment lines above
 * the hash (which {@code sha256sum -c} ignores): what {@code list}, naming and retention read.
 *
 * @param source the source database's real path (symlinks resolved)
 * @param host the name of the machine the backup was taken on
 * @param snapshot the moment the backup is of (UTC, as precisely as the clock tells)
 * @param kind {@code full}, {@code compact}, or {@code tables: a, b} for a partial backup
 * @param pageSize bytes per page of the copy
 * @param pageCount pages in the copy
 * @param version the sqlbak version that wrote it
 * @param recipients how many age recipients the backup is encrypted to; 0 when it is not encrypted
 *     (the keys themselves are never recorded)
 */
public record Provenance(String source, String host, Instant snapshot, String kind, long pageSize, long pageCount,
    String version, int recipients) {
  /** The kind of a backup of every page. */
  public static final String FULL = "full";
  /** The kind of a {@code --compact} backup: every row, no free pages. */
  public static final String COMPACT = "compact";
  private static final String TABLES = "tables: ";

  /** The kind of a partial backup of {@code tables}. */
  public static String tablesKind(List<String> tables) {
    return TABLES + String.join(", ", tables);
  }

  /** The tables of a partial backup, as its kind names them; empty for a full one. */
  public List<String> tables() {
    return partial() ? List.of(kind.substring(TABLES.length()).split(",\\s*")) : List.of();
  }

  /** Whether this is a partial ({@code --table}) backup, which forms a series of its own. */
  public boolean partial() {
    return kind.startsWith(TABLES);
  }

  /** The sidecar's comment lines, in a fixed order, each ending with a newline. */
  String lines() {
    return "# sqlbak-provenance: 1\n"
        + "# source: " + escape(source) + "\n"
        + "# host: " + escape(host) + "\n"
        + "# snapshot: " + snapshot + "\n"
        + "# kind: " + escape(kind) + "\n"
        + "# page-size: " + pageSize + "\n"
        + "# page-count: " + pageCount + "\n"
        + "# sqlbak: " + escape(version) + "\n"
        + (recipients > 0 ? "# encryption: age\n# recipients: " + recipients + "\n" : "");
  }

  /** The same provenance for a backup encrypted to {@code count} recipients (0: not encrypted). */
  public Provenance encryptedTo(int count) {
    return new Provenance(source, host, snapshot, kind, pageSize, pageCount, version, count);
  }

  /** The provenance in a sidecar's comment lines, if they hold a complete one. */
  static Optional<Provenance> of(Map<String, String> fields) {
    try {
      String source = fields.get("source");
      String host = fields.get("host");
      String kind = fields.get("kind");
      if (!"1".equals(fields.get("sqlbak-provenance")) || source == null || host == null || kind == null) {
        return Optional.empty();
      }
      return Optional.of(new Provenance(unescape(source), unescape(host), Instant.parse(fields.get("snapshot")),
          unescape(kind), Long.parseLong(fields.get("page-size")), Long.parseLong(fields.get("page-count")),
          unescape(fields.getOrDefault("sqlbak", "unknown")),
          // Older sidecars, and those of plain backups, have no such line.
          Integer.parseInt(fields.getOrDefault("recipients", "0"))));
    } catch (DateTimeParseException | NumberFormatException | NullPointerException e) {
      return Optional.empty();
    }
  }

  /** This machine's name: the kernel's (as {@code uname -n} prints it), read without a DNS lookup. */
  public static String thisHost() {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: ask the environment
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isBlank() ? "localhost" : env.trim();
  }

  /** A value on one line: backslashes, newlines and carriage returns escaped (a path may hold any of them). */
  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String unescape(String value) {
    StringBuilder b = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        char next = value.charAt(++i);
        b.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
