package dev.sqlbak.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/** Converts an argument to a path, refusing a name the OS cannot hold with a plain reason. */
final class PathConverter implements CommandLine.ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      String shown = value.replace("\u0000", "\\0");
      String encoding = System.getProperty("sun.jnu.encoding", "");
      if (!value.contains("\u0000") && !encoding.toUpperCase(java.util.Locale.ROOT).contains("UTF")) {
        // Java names files in the locale's character set; under the C locale that is ASCII.
        throw new CommandLine.TypeConversionException("cannot name '" + shown + "' in the locale's character set ("
            + encoding + "); run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
      }
      throw new CommandLine.TypeConversionException("not a usable path: '" + shown + "': " + e.getReason());
    }
  }
}
