package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.BackupStore.Publish;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Sends local files to a prefix so that nothing partial is ever visible under a name: one
 * PutObject for a small file, else a multipart upload, which S3 shows only once completed. Either
 * way each body carries its Content-MD5 and, for {@link Publish#CREATE_NEW}, {@code If-None-Match: *},
 * so that a name claimed meanwhile by another run is refused by the store itself.
 *
 * <p>A multipart upload that fails or is interrupted is aborted (its parts would be billed for
 * ever); one cut short by kill -9 is found later through its {@link UploadMarker}.
 */
final class ObjectUploads {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectUploads.class);
  /**
   * Asks the store to answer before the body is sent: a refusal (a taken name under If-None-Match,
   * a bad storage class, a 403) then arrives as its status, where a client that sends the whole
   * body first sees only a connection the store closed early. The SDK leaves the header to its
   * Apache client; the URL-connection client honours it when set.
   */
  /** The user-metadata key ({@code x-amz-meta-sqlbak-upload}) of the tag that tells whose upload stored an object. */
  static final String UPLOAD_TAG = "sqlbak-upload";

  private static final AwsRequestOverrideConfiguration EXPECT_CONTINUE = AwsRequestOverrideConfiguration.builder()
      .putHeader("Expect", "100-continue").build();

  private final S3Prefix prefix;
  private final Optional<String> storageClass;
  private final UploadSizes sizes;
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  /** The abort flags of single PUTs in progress: S3 has nothing to abort for them, their bodies stop instead. */
  private final Set<AtomicBoolean> singlePuts = ConcurrentHashMap.newKeySet();

  /** A multipart upload in progress, for {@link #abortAll()}. */
  private record InFlight(String key, String uploadId, String markerName, AtomicBoolean aborted) {}

  ObjectUploads(S3Prefix prefix, Optional<String> storageClass, UploadSizes sizes) {
    this.prefix = prefix;
    this.storageClass = storageClass;
    this.sizes = sizes;
  }

  /**
   * Makes {@code file} the object {@code name}.
   *
   * @throws FileAlreadyExistsException if {@code mode} is CREATE_NEW and the store says the name is taken
   */
  void upload(Path file, String name, Publish mode) throws IOException {
    long size = Files.size(file);
    if (sizes.singlePut(size)) {
      putWhole(file, size, name, mode);
    } else {
      multipart(file, size, name, mode);
    }
  }

  private void putWhole(Path file, long size, String name, Publish mode) throws IOException {
    AtomicBoolean aborted = new AtomicBoolean();
    singlePuts.add(aborted);
    String tag = newTag();
    try (FileRange whole = new FileRange(file, 0, size, aborted::get)) {
      String md5 = whole.md5Base64();
      RequestBody body = whole.body();
      try {
        prefix.client().putObject(r -> r.bucket(prefix.bucket()).key(prefix.key(name)).contentLength(size)
            .contentMD5(md5).storageClass(storageClass.orElse(null)).metadata(Map.of(UPLOAD_TAG, tag))
            .ifNoneMatch(mode == Publish.CREATE_NEW ? "*" : null)
            .overrideConfiguration(EXPECT_CONTINUE), body);
      } catch (SdkException e) {
        if (aborted.get()) {
          throw interrupted(name, e);
        }
        if (mode == Publish.CREATE_NEW && S3Errors.lostWhileSending(e)) {
          claimedMeanwhile(name, tag, e);
        } else if (!isOwnRetriedWrite(e, name, tag)) {
          throw failure(e, S3Operation.PUT_OBJECT, name);
        }
      }
    } finally {
      singlePuts.remove(aborted);
    }
  }

  private void multipart(Path file, long size, String name, Publish mode) throws IOException {
    String key = prefix.key(name);
    String tag = newTag();
    String uploadId;
    try {
      uploadId = prefix.client().createMultipartUpload(r -> r.bucket(prefix.bucket()).key(key)
          .storageClass(storageClass.orElse(null)).metadata(Map.of(UPLOAD_TAG, tag))
          .overrideConfiguration(S3Connection.SMALL_REQUEST)).uploadId();
    } catch (SdkException e) {
      throw failure(e, S3Operation.CREATE_MULTIPART_UPLOAD, name);
    }
    InFlight upload = new InFlight(key, uploadId, UploadMarker.ofThisProcess(uploadId).name(), new AtomicBoolean());
    inFlight.add(upload);
    boolean completed = false;
    try {
      putMarker(upload.markerName());
      List<CompletedPart> parts = sendParts(file, size, name, upload);
      complete(upload, parts, name, mode, tag);
      completed = true;
    } finally {
      inFlight.remove(upload);
      if (!completed) {
        abort(upload, S3Connection.SMALL_REQUEST);
      }
      deleteQuietly(upload.markerName(), S3Connection.SMALL_REQUEST);
    }
  }

  private List<CompletedPart> sendParts(Path file, long size, String name, InFlight upload) throws IOException {
    long partSize = sizes.partSize(size);
    List<CompletedPart> parts = new ArrayList<>();
    for (long offset = 0; offset < size; offset += partSize) {
      if (Thread.currentThread().isInterrupted() || aborted(upload)) {
        throw new InterruptedIOException("upload interrupted: " + prefix.describe(name));
      }
      int number = parts.size() + 1;
      try (FileRange part = new FileRange(file, offset, Math.min(partSize, size - offset), upload.aborted()::get)) {
        String md5 = part.md5Base64();
        UploadPartResponse sent = prefix.client().uploadPart(r -> r.bucket(prefix.bucket()).key(upload.key())
            .uploadId(upload.uploadId()).partNumber(number).contentLength(part.length()).contentMD5(md5)
            .overrideConfiguration(EXPECT_CONTINUE), part.body());
        parts.add(CompletedPart.builder().partNumber(number).eTag(sent.eTag()).build());
      } catch (SdkException e) {
        throw aborted(upload) ? interrupted(name, e) : failure(e, S3Operation.UPLOAD_PART, name);
      }
    }
    return parts;
  }

  private void complete(InFlight upload, List<CompletedPart> parts, String name, Publish mode, String tag)
      throws IOException {
    try {
      prefix.client().completeMultipartUpload(r -> r.bucket(prefix.bucket()).key(upload.key())
          .uploadId(upload.uploadId()).multipartUpload(m -> m.parts(parts))
          .ifNoneMatch(mode == Publish.CREATE_NEW ? "*" : null));
    } catch (SdkException e) {
      if (!isOwnRetriedWrite(e, name, tag)) {
        throw aborted(upload) ? interrupted(name, e) : failure(e, S3Operation.COMPLETE_MULTIPART_UPLOAD, name);
      }
    }
  }

  /**
   * Aborts every upload in progress, from the calling thread and with short timeouts, for a signal
   * handler: interrupting the uploading thread takes seconds (it sits in a socket write), and the
   * process may be gone by then. Multipart uploads are aborted at the store; every body, a single
   * PUT's too, stops at its next read, so that its request ends unfinished. The uploading threads
   * then fail.
   */
  void abortAll() {
    singlePuts.forEach(aborted -> aborted.set(true));
    for (InFlight upload : inFlight) {
      upload.aborted().set(true);
      abort(upload, S3Connection.URGENT_REQUEST);
      deleteQuietly(upload.markerName(), S3Connection.URGENT_REQUEST);
    }
  }

  private void putMarker(String markerName) {
    // Without a marker the upload is still swept, only later (see DeadUploadSweep); so a refused
    // marker does not stop the backup. No storage class: an empty object in a class with a
    // minimum size or duration would be billed as a large, long-kept one.
    try {
      prefix.client().putObject(r -> r.bucket(prefix.bucket()).key(prefix.key(markerName)).contentLength(0L)
          .overrideConfiguration(S3Connection.SMALL_REQUEST), RequestBody.empty());
    } catch (SdkException e) {
      LOG.debug("cannot put upload marker {}", markerName, e);
    }
  }

  private void abort(InFlight upload, AwsRequestOverrideConfiguration timeouts) {
    try {
      prefix.client().abortMultipartUpload(r -> r.bucket(prefix.bucket()).key(upload.key())
          .uploadId(upload.uploadId()).overrideConfiguration(timeouts));
    } catch (SdkException e) {
      // Left to the next sweep, which finds it by its marker (or its age).
      LOG.debug("cannot abort upload {} of {}", upload.uploadId(), upload.key(), e);
    }
  }

  private void deleteQuietly(String name, AwsRequestOverrideConfiguration timeouts) {
    try {
      prefix.client().deleteObject(r -> r.bucket(prefix.bucket()).key(prefix.key(name)).overrideConfiguration(timeouts));
    } catch (SdkException e) {
      LOG.debug("cannot delete {}", name, e);
    }
  }

  private static boolean aborted(InFlight upload) {
    return upload.aborted().get();
  }

  /**
   * Whether {@code e} is a 412 that answers a retry of a write whose first attempt succeeded
   * although its response was lost: the object under the name then carries this upload's tag.
   * (Seen against S3Proxy on a reused connection; S3 documents the same for conditional writes.)
   */
  /**
   * After a PUT of a new name whose answer was lost because the store answered before reading the
   * body (what a refused {@code If-None-Match: *} looks like through a client that writes the whole
   * body first): returns if the object now there is this upload's own (it carries this upload's tag), throws
   * {@link FileAlreadyExistsException} if another run's object took the name, else the failure.
   */
  private void claimedMeanwhile(String name, String tag, SdkException e) throws IOException {
    String stored;
    try {
      stored = tagOf(name);
    } catch (SdkException again) {
      LOG.debug("cannot read the upload tag of {}", name, again);
      throw failure(e, S3Operation.PUT_OBJECT, name);
    }
    if (!tag.equals(stored)) {
      throw new FileAlreadyExistsException(prefix.describe(name));
    }
  }

  /** The tag the upload that stored {@code name} gave it, or null (an object another tool put there). */
  private String tagOf(String name) {
    return prefix.client().headObject(r -> r.bucket(prefix.bucket()).key(prefix.key(name))
        .overrideConfiguration(S3Connection.SMALL_REQUEST)).metadata().get(UPLOAD_TAG);
  }

  /**
   * A tag told apart from every other upload's, stored with the object as user metadata: an object
   * with this upload's bytes may still be another run's (two runs of an unchanged database make
   * the same bytes, and so the same ETag), but never with this tag.
   */
  private static String newTag() {
    return UUID.randomUUID().toString();
  }

  private boolean isOwnRetriedWrite(SdkException e, String name, String tag) {
    if (S3Errors.status(e) != 412 || e.numAttempts() == null || e.numAttempts() < 2) {
      return false;
    }
    try {
      return tag.equals(tagOf(name));
    } catch (SdkException again) {
      LOG.debug("cannot read the upload tag of {}", name, again);
      return false;
    }
  }

  private IOException interrupted(String name, SdkException e) {
    InterruptedIOException stop = new InterruptedIOException("upload aborted: " + prefix.describe(name));
    stop.initCause(e);
    return stop;
  }

  private IOException failure(SdkException e, S3Operation operation, String name) {
    if (S3Errors.status(e) == 412) {
      FileAlreadyExistsException taken = new FileAlreadyExistsException(prefix.describe(name));
      taken.initCause(e);
      return taken;
    }
    return prefix.fail(e, operation, name);
  }
}
