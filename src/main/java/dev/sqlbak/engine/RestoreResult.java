package dev.sqlbak.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a restore did.
 *
 * @param backup the backup that was restored
 * @param target the database that now holds the backup's content
 * @param safetyCopy where the target's previous content was saved, or null
 * @param created whether the target did not exist before
 * @param pageCount pages restored
 * @param pageSize bytes per page
 * @param elapsed wall time of the whole run
 * @param warnings what the user should know although the restore succeeded
 */
public record RestoreResult(Path backup, Path target, Path safetyCopy, boolean created, long pageCount, long pageSize,
    Duration elapsed, List<String> warnings) {}
