package dev.sqlbak.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.RemoteFailure.Kind;
import java.io.IOException;
import java.net.ConnectException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The SDK's answers S3Proxy cannot give (403 AccessDenied, 503), as the SDK builds them, in sqlbak's words. */
class S3ErrorsTest {
  private static final String WHERE = "s3://bucket/prefix/app.db";
  private static final String ENDPOINT = "https://s3.eu-west-3.amazonaws.com";

  private static RemoteFailure map(Exception e, S3Operation op) {
    IOException mapped = S3Errors.map((software.amazon.awssdk.core.exception.SdkException) e, op, WHERE, ENDPOINT);
    return (RemoteFailure) mapped;
  }

  private static S3Exception service(int status, String code) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("m").build()).build();
  }

  @Test
  void accessDeniedNamesTheOperationAndThePermission() {
    RemoteFailure f = map(service(403, "AccessDenied"), S3Operation.PUT_OBJECT);
    assertEquals(Kind.ACCESS_DENIED, f.kind());
    assertEquals("access denied to PutObject", f.what());
    assertEquals(WHERE, f.where());
    assertTrue(f.hint().orElseThrow().contains("s3:PutObject"), f.getMessage());
    RemoteFailure head = map(service(403, null), S3Operation.HEAD_OBJECT);
    assertEquals(Kind.ACCESS_DENIED, head.kind());
    assertTrue(head.hint().orElseThrow().contains("AWS_ACCESS_KEY_ID"), "a bodiless 403 may be bad credentials");
  }

  @Test
  void throttlingBadKeysAndTheNetworkEachHaveTheirKind() {
    assertEquals(Kind.THROTTLED, map(service(503, "SlowDown"), S3Operation.UPLOAD_PART).kind());
    assertEquals(Kind.CREDENTIALS, map(service(403, "InvalidAccessKeyId"), S3Operation.LIST_OBJECTS).kind());
    assertEquals(Kind.NO_SUCH_BUCKET, map(service(404, "NoSuchBucket"), S3Operation.LIST_OBJECTS).kind());
    RemoteFailure refused = map(SdkClientException.create("x", new ConnectException("Connection refused")),
        S3Operation.LIST_OBJECTS);
    assertEquals(Kind.UNREACHABLE, refused.kind());
    assertEquals(ENDPOINT, refused.where());
    assertEquals(Kind.TLS, map(SdkClientException.create("x", new SSLException("PKIX path building failed")),
        S3Operation.LIST_OBJECTS).kind());
    assertEquals(Kind.CONNECTION_LOST, map(SdkClientException.create("Unable to execute HTTP request",
        new IOException("Error writing request body to server")), S3Operation.UPLOAD_PART).kind());
    assertEquals(Kind.CREDENTIALS, map(SdkClientException.create("Unable to load credentials from any of the "
        + "providers in the chain"), S3Operation.LIST_OBJECTS).kind());
  }

  /** Found by a hostile user: a self-hosted endpoint without --s3-path-style was "cannot reach" with no clue why. */
  @Test
  void aBucketHostNameThatDoesNotResolveSuggestsPathStyle() {
    RemoteFailure f = map(SdkClientException.create("Unable to execute HTTP request",
        new java.net.UnknownHostException("bucket.localhost")), S3Operation.LIST_OBJECTS);
    assertEquals(Kind.UNREACHABLE, f.kind());
    assertEquals("cannot resolve bucket.localhost", f.what());
    assertTrue(f.hint().orElseThrow().contains("--s3-path-style"), f.getMessage());
    RemoteFailure other = map(SdkClientException.create("x", new java.net.UnknownHostException("s3.example")),
        S3Operation.LIST_OBJECTS);
    assertEquals("cannot reach S3 endpoint", other.what());
  }
}
