package dev.sqlbak.sqlite;

/**
 * One table of a database and its row count.
 *
 * @param name the table's name
 * @param rows its row count, or -1 where the table could not be counted (a virtual table whose
 *     module is not available)
 */
public record TableRows(String name, long rows) {}
