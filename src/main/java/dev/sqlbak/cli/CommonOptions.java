package dev.sqlbak.cli;

import picocli.CommandLine.Option;

/** Options every command takes: how much it says. */
final class CommonOptions {
  @Option(names = {"-q", "--quiet"}, description = "Print no progress or informational lines; errors still show.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Add debug logging and stack traces to errors.")
  boolean verbose;
}
