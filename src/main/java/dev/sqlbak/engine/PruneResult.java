package dev.sqlbak.engine;

import dev.sqlbak.storage.Location;
import java.util.List;

/**
 * What prune did (in a dry run: would do) in one folder.
 *
 * @param folder the folder or S3 prefix pruned
 * @param dryRun whether nothing was removed
 * @param stems one entry per stem that has backups there, by stem name
 */
public record PruneResult(Location folder, boolean dryRun, List<StemPrune> stems) {
  public PruneResult {
    stems = List.copyOf(stems);
  }
}
