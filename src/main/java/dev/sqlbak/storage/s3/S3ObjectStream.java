package dev.sqlbak.storage.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An object's content as it arrives: the SDK's failures while reading become sqlbak's, and a
 * stream closed before its end drops the connection rather than downloading the rest to discard it.
 */
final class S3ObjectStream extends FilterInputStream {
  private final ResponseInputStream<GetObjectResponse> response;
  private final S3Prefix prefix;
  private final String name;
  private boolean ended;

  S3ObjectStream(ResponseInputStream<GetObjectResponse> response, S3Prefix prefix, String name) {
    super(response);
    this.response = response;
    this.prefix = prefix;
    this.name = name;
  }

  @Override
  public int read() throws IOException {
    try {
      int b = super.read();
      ended |= b < 0;
      return b;
    } catch (SdkException e) {
      throw prefix.fail(e, S3Operation.GET_OBJECT, name);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = super.read(b, off, len);
      ended |= n < 0;
      return n;
    } catch (SdkException e) {
      throw prefix.fail(e, S3Operation.GET_OBJECT, name);
    }
  }

  @Override
  public void close() throws IOException {
    if (!ended) {
      response.abort();
    }
    super.close();
  }
}
