package dev.sqlbak.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Converts {@code --s3-endpoint} to a URL, refusing one without http(s) and a host, which the SDK
 * would refuse later and less clearly.
 */
final class EndpointConverter implements CommandLine.ITypeConverter<URI> {
  @Override
  public URI convert(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw invalid(value);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw invalid(value);
    }
    return uri;
  }

  private static CommandLine.TypeConversionException invalid(String value) {
    return new CommandLine.TypeConversionException("not an endpoint URL: '" + value
        + "'; give the scheme and host, such as https://minio.lan:9000");
  }
}
