package dev.sqlbak.engine;

import dev.sqlbak.storage.Location;
import java.util.List;
import java.util.function.Function;

/**
 * What prune did (in a dry run: would do) to the backups of one stem in a store, by name; the
 * same as {@link StemPrune}, which says it with locations.
 *
 * @param stem the stem
 * @param kept the backups kept, oldest first (their sidecars stay with them)
 * @param removed the names removed (in a dry run: that would be), in the order of {@link StemPrune#removed()}
 * @param newest the newest backup by name
 * @param newestGood the newest backup that passes a quick check, or null when none does
 */
public record StorePrune(String stem, List<String> kept, List<String> removed, String newest, String newestGood) {
  public StorePrune {
    kept = List.copyOf(kept);
    removed = List.copyOf(removed);
  }

  /** The same result with each name turned into a location by {@code pathOf} (its folder's {@code resolve}). */
  public StemPrune withPaths(Function<String, Location> pathOf) {
    return new StemPrune(stem, kept.stream().map(pathOf).toList(), removed.stream().map(pathOf).toList(),
        newest == null ? null : pathOf.apply(newest), newestGood == null ? null : pathOf.apply(newestGood));
  }
}
