package dev.sqlbak.engine;

import dev.sqlbak.storage.Location;
import java.util.List;

/**
 * What prune did (in a dry run: would do) to the backups of one stem, by location.
 *
 * @param stem the stem
 * @param kept the backups kept, oldest first (their sidecars stay with them)
 * @param removed the files removed (in a dry run: that would be), oldest first, each backup followed
 *     by its {@code .sha256} sidecar when it had one, and the sidecars left without their backup
 *     (by a run killed between the two removals); a file that vanished meanwhile is not listed
 * @param newest the newest backup by name
 * @param newestGood the newest backup that passes a quick check (always kept), or null when none
 *     does and the rules alone decided
 */
public record StemPrune(String stem, List<Location> kept, List<Location> removed, Location newest,
    Location newestGood) {
  public StemPrune {
    kept = List.copyOf(kept);
    removed = List.copyOf(removed);
  }
}
