package dev.sqlbak.copy;

import dev.sqlbak.engine.SourceContention;
import java.time.Instant;

/**
 * The moment a backup is of, and how the backup and the source's other users got in each other's way.
 *
 * @param time when the snapshot began (for a compact or table copy: when the copy began)
 * @param contention lock waits, restarts and how long the snapshot was held
 */
public record Snapshot(Instant time, SourceContention contention) {}
