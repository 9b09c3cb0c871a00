package dev.sqlbak.retention;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * The backups in one store of one source, which naming and retention act within: one name, one
 * source (its real path and host) and one part (full or partial). A backup whose sidecar says
 * nothing of its source belongs to the series of its name.
 *
 * @param name the name part of the backups' file names ({@code app} in {@code app-20261203T030000Z.db})
 * @param source the source's real path; empty when no sidecar says
 * @param host the host the source is on; empty when no sidecar says
 * @param part whether the series holds full backups or partial ({@code --table}) ones
 */
public record Series(String name, Optional<String> source, Optional<String> host, Part part) {
  /** Series sorted by name, then source, full before partial. */
  public static final Comparator<Series> ORDER = Comparator.comparing(Series::name)
      .thenComparing(s -> s.source().orElse(""))
      .thenComparing(s -> s.host().orElse(""))
      .thenComparing(Series::part);

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
  }

  /** The series of backups named {@code name} whose source no sidecar tells. */
  public static Series ofName(String name) {
    return new Series(name, Optional.empty(), Optional.empty(), Part.FULL);
  }

  /** The series of {@code source} on {@code host}, named {@code name}. */
  public static Series of(String name, String source, String host, Part part) {
    return new Series(name, Optional.of(source), Optional.of(host), part);
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
