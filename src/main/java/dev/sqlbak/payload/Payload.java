package dev.sqlbak.payload;

import java.nio.file.Path;

/**
 * The bytes a backup publishes: the staged file that holds them, their SHA-256 and their size.
 *
 * @param file the staged file to publish (for a stream: the checked copy that was sent)
 * @param sha256 hex SHA-256 of the bytes as published (compressed, if compressed)
 * @param bytes how many bytes are published
 */
public record Payload(Path file, String sha256, long bytes) {}
