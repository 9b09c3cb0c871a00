package dev.sqlbak.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's standard input as {@code restore -} reads it, and whether it is a terminal: a
 * backup never comes from one, and reading it would only wait for a Ctrl-D.
 *
 * @param bytes the stream
 * @param terminal whether it is an interactive terminal
 */
record StandardInput(InputStream bytes, boolean terminal) {
  /** A stream that is no terminal, as tests and callers of the stream-only entry points hand over. */
  static StandardInput of(InputStream bytes) {
    return new StandardInput(bytes, false);
  }

  /**
   * Whether file descriptor 0 is a terminal. Java has no isatty for stdin alone ({@code
   * System.console()} needs stdout to be one too), so Linux's {@code /proc/self/fd/0} is read;
   * elsewhere it is taken to be no terminal.
   */
  static boolean isTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
