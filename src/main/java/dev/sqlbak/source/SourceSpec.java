package dev.sqlbak.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Which source a backup reads.
 *
 * @param source the database file as the user named it
 * @param attachments other database files to attach, by schema name
 * @param schemas the schemas to copy, each of which must be there
 * @param busyTimeout how long to wait for another process's lock
 */
public record SourceSpec(Path source, Map<String, Path> attachments, List<String> schemas, Duration busyTimeout) {}
