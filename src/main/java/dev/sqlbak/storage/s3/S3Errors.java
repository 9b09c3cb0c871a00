package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.RemoteFailure.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the AWS SDK's exceptions into {@link RemoteFailure}s in the user's words, naming the
 * refused operation. Decisions rest on the HTTP status, the error code and the causes: a HEAD
 * response carries no error code, and {@code retryable()} is false on the final exception even of
 * a retried 503.
 */
final class S3Errors {
  private static final String CREDENTIALS_HINT =
      "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE and ~/.aws/credentials";

  private S3Errors() {}

  /**
   * The failure {@code e} of {@code operation} on {@code where} (an object or prefix); {@code
   * endpoint} is where an unreachable service is named.
   */
  static IOException map(SdkException e, S3Operation operation, String where, String endpoint) {
    if (e instanceof AwsServiceException service) {
      return service(service, operation, where);
    }
    return client(e, operation, where, endpoint);
  }

  /** The HTTP status of {@code e}, or 0 when no response was received. */
  static int status(SdkException e) {
    return e instanceof AwsServiceException service ? service.statusCode() : 0;
  }

  /** Whether {@code e} says the object (or upload) is not there, as opposed to the bucket. */
  static boolean isMissingKey(SdkException e) {
    return status(e) == 404 && !"NoSuchBucket".equals(code(e));
  }

  private static IOException service(AwsServiceException e, S3Operation operation, String where) {
    String code = code(e);
    int status = e.statusCode();
    String op = operation.apiName();
    if (code.equals("NoSuchBucket")) {
      return new RemoteFailure(Kind.NO_SUCH_BUCKET, "bucket not found", bucketOf(where),
          "check the bucket's name, and the region or endpoint it is in", e);
    }
    if (code.equals("InvalidAccessKeyId") || code.equals("SignatureDoesNotMatch") || code.equals("InvalidToken")
        || code.equals("ExpiredToken") || code.equals("TokenRefreshRequired") || code.equals("InvalidSecurity")) {
      return new RemoteFailure(Kind.CREDENTIALS, "credentials rejected by " + op + " (" + code + ")", where,
          CREDENTIALS_HINT, e);
    }
    if (status == 403) {
      // A HEAD answer has no body: a 403 there may also be a bad signature, which the hint admits.
      String hint = "the credentials need " + operation.permission() + " on it"
          + (code.isEmpty() ? " (or they are wrong: " + CREDENTIALS_HINT + ")" : "");
      return new RemoteFailure(Kind.ACCESS_DENIED, "access denied to " + op, where, hint, e);
    }
    if (status == 503 || status == 429 || code.equals("SlowDown")) {
      return new RemoteFailure(Kind.THROTTLED, "S3 kept asking to slow down (" + op + ")", where,
          "try again later, or with fewer runs at once", e);
    }
    String detail = code.isEmpty() ? "HTTP " + status : code + " (HTTP " + status + ")";
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    return new RemoteFailure(Kind.OTHER, op + " failed: " + detail, where,
        message == null || message.isBlank() ? null : message, e);
  }

  private static IOException client(SdkException e, S3Operation operation, String where, String endpoint) {
    String op = operation.apiName();
    if (e instanceof AbortedException || hasCause(e, InterruptedIOException.class)
        && !hasCause(e, SocketTimeoutException.class)) {
      InterruptedIOException interrupted = new InterruptedIOException(op + " interrupted: " + where);
      interrupted.initCause(e);
      return interrupted;
    }
    String message = allMessages(e);
    if (message.contains("unable to load credentials") || message.contains("unable to load aws credentials")) {
      return new RemoteFailure(Kind.CREDENTIALS, "no AWS credentials found", where,
          "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE", e);
    }
    if (hasCause(e, SSLException.class)) {
      return new RemoteFailure(Kind.TLS, "TLS handshake with the S3 endpoint failed", endpoint,
          "check that the endpoint speaks https and that its certificate is trusted", e);
    }
    UnknownHostException unknown = causeOf(e, UnknownHostException.class);
    String bucket = bucketName(where);
    if (unknown != null && unknown.getMessage() != null && !bucket.isEmpty()
        && unknown.getMessage().startsWith(bucket + ".")) {
      // Virtual-hosted addressing put the bucket into the host name, which a self-hosted store's DNS lacks.
      return new RemoteFailure(Kind.UNREACHABLE, "cannot resolve " + unknown.getMessage(), endpoint,
          "the bucket was put in the host name; a self-hosted store needs --s3-path-style", e);
    }
    if (hasCause(e, ConnectException.class) || unknown != null
        || hasCause(e, NoRouteToHostException.class) || hasCause(e, SocketTimeoutException.class)
        || e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      if (!message.contains("error writing request body")) {
        return new RemoteFailure(Kind.UNREACHABLE, "cannot reach S3 endpoint", endpoint,
            "check the endpoint, the network and any proxy", e);
      }
    }
    if (message.contains("error writing request body") || hasCause(e, SocketException.class)
        || hasCause(e, IOException.class)) {
      return new RemoteFailure(Kind.CONNECTION_LOST, "connection lost during " + op, where,
          "the store may have refused the request before reading it; run again", e);
    }
    return new RemoteFailure(Kind.OTHER, op + " failed: " + firstLine(e.getMessage()), where, null, e);
  }

  /**
   * Whether {@code e} is a request whose body could not be sent because the connection ended (a
   * store that answered early and closed, or a network cut): its answer, if any, is unknown.
   */
  static boolean lostWhileSending(SdkException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
    return !(e instanceof AwsServiceException) && message.contains("error writing request body");
  }

  private static String code(SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
        && service.awsErrorDetails().errorCode() != null) {
      return service.awsErrorDetails().errorCode();
    }
    return "";
  }

  private static String bucketOf(String where) {
    int slash = where.indexOf('/', "s3://".length());
    return slash < 0 ? where : where.substring(0, slash + 1);
  }

  private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The bucket of {@code where} ({@code s3://bucket/...}), or empty. */
  private static String bucketName(String where) {
    if (!where.startsWith("s3://")) {
      return "";
    }
    int slash = where.indexOf('/', "s3://".length());
    return slash < 0 ? where.substring("s3://".length()) : where.substring("s3://".length(), slash);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static String allMessages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString().toLowerCase(Locale.ROOT);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
