package dev.sqlbak.engine;

import java.time.Duration;

/**
 * How a backup and the other users of its source got in each other's way.
 *
 * @param restarts how often the backup API started a copy over because the source changed under
 *     it (0 while sqlbak holds its read transaction; reported so that a regression shows)
 * @param busyRetries how often sqlbak retried the source's lock while another process held it
 * @param busyWait the time spent waiting in those retries
 * @param snapshotHeld how long sqlbak held its read transaction on the source: in rollback-journal
 *     mode the longest that another process's commit was held off; in WAL mode writers go on
 */
public record SourceContention(int restarts, long busyRetries, Duration busyWait, Duration snapshotHeld) {}
