package dev.sqlbak.cli;

import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.S3Location;
import picocli.CommandLine;

/** Converts an argument to a location: {@code s3://bucket/key} or {@code s3://bucket/prefix/}, else a local path. */
final class LocationConverter implements CommandLine.ITypeConverter<Location> {
  private final PathConverter paths = new PathConverter();

  @Override
  public Location convert(String value) {
    if (value.startsWith(Location.S3_SCHEME)) {
      try {
        return S3Location.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
    return Location.of(paths.convert(value));
  }
}
