package dev.sqlbak.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * What prune did (in a dry run: would do) in one folder.
 *
 * @param folder the folder pruned
 * @param dryRun whether nothing was removed
 * @param stems one entry per stem that has backups there, by stem name
 */
public record PruneResult(Path folder, boolean dryRun, List<StemPrune> stems) {
  public PruneResult {
    stems = List.copyOf(stems);
  }
}
