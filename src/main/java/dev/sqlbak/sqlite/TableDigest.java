package dev.sqlbak.sqlite;

/**
 * A table's row count and a digest of its content.
 *
 * @param rows number of rows
 * @param sha256 hex SHA-256 over every value of every row, in b-tree order
 */
public record TableDigest(long rows, String sha256) {}
