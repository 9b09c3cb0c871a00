package dev.sqlbak.storage;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * A remote store's refusal or failure, already in the user's words: what failed, where, and what
 * to do, so that the one line a user sees names the refused operation, the missing bucket or the
 * unreachable endpoint instead of an SDK's exception.
 */
public final class RemoteFailure extends IOException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure, for callers that act on it (a missing object is not a refusal). */
  public enum Kind {
    /** 403: the credentials may not do the operation. */
    ACCESS_DENIED,
    /** No usable credentials were found, or the store rejected them (bad key id, bad signature). */
    CREDENTIALS,
    /** The bucket does not exist. */
    NO_SUCH_BUCKET,
    /** The endpoint could not be reached (refused, unknown host, timeout). */
    UNREACHABLE,
    /** The TLS handshake failed (an untrusted certificate, https to an http port). */
    TLS,
    /** The store kept answering "slow down" (503) past the bounded retries. */
    THROTTLED,
    /** The connection broke during a transfer. */
    CONNECTION_LOST,
    /** The stored bytes did not match what was sent or what the store reported. */
    INTEGRITY,
    /** Anything else the store answered. */
    OTHER
  }

  private final Kind kind;
  private final String what;
  private final String where;
  private final String hint;

  /**
   * A failure of {@code kind}: {@code what} failed at {@code where}; {@code hint} (may be null) says what to do.
   */
  public RemoteFailure(Kind kind, String what, String where, String hint, Throwable cause) {
    super(what + ": " + where + (hint == null ? "" : "; " + hint), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.what = Objects.requireNonNull(what, "what");
    this.where = Objects.requireNonNull(where, "where");
    this.hint = hint;
  }

  public Kind kind() {
    return kind;
  }

  /** What failed, such as {@code access denied to PutObject}. */
  public String what() {
    return what;
  }

  /** Where: the object, prefix or endpoint. */
  public String where() {
    return where;
  }

  /** What the user can do about it, if anything is known. */
  public Optional<String> hint() {
    return Optional.ofNullable(hint);
  }
}
