package dev.sqlbak.storage.s3;

/**
 * When an upload is one PutObject and when it is multipart, and how big its parts are.
 *
 * @param singlePutLimit the largest file sent in one PutObject
 * @param minPartSize the smallest part of a multipart upload (S3 refuses parts under 5 MiB but the
 *     last; tests use smaller ones to provoke that refusal)
 */
record UploadSizes(long singlePutLimit, long minPartSize) {
  /** S3 refuses more parts than this in one upload. */
  static final int MAX_PARTS = 10_000;
  static final long MIB = 1L << 20;

  /**
   * sqlbak's sizes: up to 16 MiB in one request (one round trip, one Content-MD5), parts of at
   * least 8 MiB; memory holds no part, since parts stream from the file.
   */
  static final UploadSizes DEFAULT = new UploadSizes(16 * MIB, 8 * MIB);

  UploadSizes {
    if (minPartSize <= 0 || singlePutLimit < 0) {
      throw new IllegalArgumentException("no upload sizes: " + singlePutLimit + ", " + minPartSize);
    }
  }

  /** Whether a file of {@code size} bytes goes up in one PutObject. */
  boolean singlePut(long size) {
    return size <= singlePutLimit;
  }

  /** The part size for a file of {@code size} bytes: the minimum, grown in whole MiB to stay within {@link #MAX_PARTS}. */
  long partSize(long size) {
    long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
    long roundedUp = (needed + MIB - 1) / MIB * MIB;
    return Math.max(minPartSize, roundedUp);
  }
}
