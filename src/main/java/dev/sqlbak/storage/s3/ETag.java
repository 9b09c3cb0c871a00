package dev.sqlbak.storage.s3;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The ETag S3 gives an object written without KMS encryption: the hex MD5 of the content for one
 * PutObject, the hex MD5 of the parts' MD5s followed by {@code -<parts>} for a multipart upload.
 * Used only to recognise an object as one's own; an object encrypted with KMS never matches.
 */
final class ETag {
  private ETag() {}

  /** The ETag of a PutObject whose body has the base64 MD5 {@code md5Base64}. */
  static String ofSinglePut(String md5Base64) {
    return HexFormat.of().formatHex(Base64.getDecoder().decode(md5Base64));
  }

  /** Whether {@code stored} (as S3 sends it, quoted) is {@code expected}. */
  static boolean matches(String stored, String expected) {
    return stored != null && stored.replace("\"", "").toLowerCase(Locale.ROOT).equals(expected);
  }

  /** The ETag of a multipart upload, built part by part. */
  static final class Multipart {
    private final MessageDigest md5s = md5();
    private int parts;

    /** Adds the next part, by its base64 MD5. */
    void add(String md5Base64) {
      md5s.update(Base64.getDecoder().decode(md5Base64.getBytes(StandardCharsets.US_ASCII)));
      parts++;
    }

    /** The ETag of the parts added so far; call once, after the last. */
    String value() {
      return HexFormat.of().formatHex(md5s.digest()) + "-" + parts;
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }
}
