package dev.sqlbak.retention;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The backups in one store of one source, which naming and retention act within: one name, one
 * source (its real path and host) and one part (full or partial). A backup whose sidecar says
 * nothing of its source belongs to the series of its name.
 *
 * @param name the name part of the backups' file names ({@code app} in {@code app-20261203T030000Z.db})
 * @param source the source's real path; empty when no sidecar says
 * @param host the host the source is on; empty when no sidecar says
 * @param part whether the series holds full backups or partial ({@code --table}) ones
 * @param tables for a partial series, its tables (folded to lower case, sorted, comma-separated):
 *     backups of other tables are another series; empty for a full one
 */
public record Series(String name, Optional<String> source, Optional<String> host, Part part, String tables) {
  /** Series sorted by name, then source, full before partial. */
  public static final Comparator<Series> ORDER = Comparator.comparing(Series::name)
      .thenComparing(s -> s.source().orElse(""))
      .thenComparing(s -> s.host().orElse(""))
      .thenComparing(Series::part)
      .thenComparing(Series::tables);

  /** Whether a series holds whole databases or chosen tables. */
  public enum Part {
    /** Every table: a full or compact backup. */
    FULL,
    /** Chosen tables only ({@code --table}): never counted in, nor pruned by, a full series' retention. */
    PARTIAL
  }

  public Series {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(part, "part");
    Objects.requireNonNull(tables, "tables");
  }

  /** The series of backups named {@code name} whose source no sidecar tells. */
  public static Series ofName(String name) {
    return new Series(name, Optional.empty(), Optional.empty(), Part.FULL, "");
  }

  /** The series of full backups of {@code source} on {@code host}, named {@code name}. */
  public static Series full(String name, String source, String host) {
    return new Series(name, Optional.of(source), Optional.of(host), Part.FULL, "");
  }

  /** The series of partial backups of {@code tables} of {@code source} on {@code host}, named {@code name}. */
  public static Series partial(String name, String source, String host, List<String> tables) {
    return new Series(name, Optional.of(source), Optional.of(host), Part.PARTIAL, tableKey(tables));
  }

  /** One spelling of a set of tables: SQLite matches table names ignoring ASCII case. */
  private static String tableKey(List<String> tables) {
    return String.join(",", new TreeSet<>(tables.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).toList()));
  }

  /** Whether the source of this series is known. */
  public boolean sourceKnown() {
    return source.isPresent();
  }

  /** {@code host:path} of the source, or {@code ?} when unknown: how messages and {@code list} show it. */
  public String describeSource() {
    return source.map(s -> host.orElse("?") + ":" + s).orElse("?");
  }
}
