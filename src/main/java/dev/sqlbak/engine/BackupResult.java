package dev.sqlbak.engine;

import dev.sqlbak.storage.Location;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a backup run produced.
 *
 * @param copies one finished copy per requested schema, in request order
 * @param snapshotTime when the source snapshot was taken (the moment the copies represent)
 * @param elapsed wall time of the whole run
 * @param pruned old backups and sidecars that retention removed afterwards
 * @param contention how the source's other users and the backup got in each other's way
 * @param warnings what the user should know although the backup succeeded (each without the
 *     {@code sqlbak: warning: } prefix)
 */
public record BackupResult(List<BackupCopy> copies, Instant snapshotTime, Duration elapsed, List<Location> pruned,
    SourceContention contention, List<String> warnings) {}
