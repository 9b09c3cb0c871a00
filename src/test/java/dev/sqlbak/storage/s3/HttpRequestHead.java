package dev.sqlbak.storage.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

/**
 * The head of one HTTP/1.1 request as {@link FaultProxy} reads it: its bytes as received, and what
 * the proxy needs to find the end of the body.
 */
record HttpRequestHead(byte[] bytes, String requestLine, long contentLength, boolean chunked,
    boolean expectsContinue) {
  /** Reads a head up to its blank line; null at a clean end of the connection. */
  static HttpRequestHead read(InputStream in) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    String requestLine = readLine(in, raw);
    if (requestLine == null) {
      return null;
    }
    long length = 0;
    boolean chunked = false;
    boolean expect = false;
    for (String line = readLine(in, raw); line != null && !line.isEmpty(); line = readLine(in, raw)) {
      int colon = line.indexOf(':');
      String name = colon < 0 ? line : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = colon < 0 ? "" : line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "expect" -> expect = value.equals("100-continue");
        default -> { }
      }
    }
    return new HttpRequestHead(raw.toByteArray(), requestLine, length, chunked, expect);
  }

  static String readLine(InputStream in) throws IOException {
    String line = readLine(in, OutputStream.nullOutputStream());
    if (line == null) {
      throw new IOException("connection ended mid-request");
    }
    return line;
  }

  /** One CRLF-ended line without its end, copied raw to {@code raw}; null at end of stream before any byte. */
  private static String readLine(InputStream in, OutputStream raw) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); ; c = in.read()) {
      if (c < 0) {
        if (line.length() == 0) {
          return null;
        }
        throw new IOException("connection ended mid-line");
      }
      raw.write(c);
      if (c == '\n') {
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        return line.substring(0, end);
      }
      line.append((char) c);
    }
  }
}
