package dev.sqlbak.cli;

import dev.sqlbak.payload.Compression;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts {@code --compress} values: gzip, zstd or none. */
final class CompressionConverter implements ITypeConverter<Compression> {
  @Override
  public Compression convert(String value) {
    try {
      return Compression.ofOption(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
