package dev.sqlbak.storage.s3;

import dev.sqlbak.retention.BackupNames;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Aborts the multipart uploads of runs that died under a prefix, and removes their {@link
 * UploadMarker}s. Which upload is dead:
 *
 * <ul>
 *   <li>its marker names this host and a process that is gone (or a later one with its pid): at once;
 *   <li>its marker names another host, whose processes cannot be looked up: once initiated more
 *       than {@link #OTHER_HOST_AGE} ago, longer than any upload of a backup takes;
 *   <li>it has no marker (a run killed between starting the upload and putting the marker, or an
 *       upload of another tool): once initiated more than {@link #UNMARKED_AGE} ago.
 * </ul>
 *
 * Only uploads of direct children of the prefix whose names do not start with '.' are touched, and
 * of those without a marker only uploads under a backup's name: the uploads of other prefixes and
 * of other tools are not sqlbak's to judge.
 */
final class DeadUploadSweep {
  private static final Logger LOG = LoggerFactory.getLogger(DeadUploadSweep.class);
  static final Duration OTHER_HOST_AGE = Duration.ofHours(24);
  static final Duration UNMARKED_AGE = Duration.ofHours(1);

  private final S3Prefix prefix;

  DeadUploadSweep(S3Prefix prefix) {
    this.prefix = prefix;
  }

  /** Sweeps once; never fails: what cannot be listed or aborted is logged at debug and left for later. */
  void run(Instant now) {
    Map<String, MarkerObject> markers;
    try {
      markers = markers();
    } catch (SdkException e) {
      LOG.debug("cannot list upload markers under {}", prefix.location(), e);
      return;
    }
    try {
      for (MultipartUpload upload : prefix.client().listMultipartUploadsPaginator(r -> r.bucket(prefix.bucket())
          .prefix(prefix.location().key()).overrideConfiguration(S3Connection.SMALL_REQUEST)).uploads()) {
        String name = upload.key().substring(prefix.location().key().length());
        if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
          continue;
        }
        MarkerObject marker = markers.remove(UploadMarker.hashOf(upload.uploadId()));
        if (marker == null && BackupNames.parse(name).isEmpty()) {
          continue; // neither marked by sqlbak nor under a backup's name: another tool's upload
        }
        if (isDead(Optional.ofNullable(marker).map(MarkerObject::marker), upload.initiated(), now)) {
          abort(upload);
          if (marker != null) {
            delete(marker.marker().name());
          }
        }
      }
    } catch (SdkException e) {
      LOG.debug("cannot list multipart uploads under {}", prefix.location(), e);
      return;
    }
    for (MarkerObject left : markers.values()) {
      // Its upload is gone (completed or aborted); the marker outlived it only if its run died.
      if (isDead(Optional.of(left.marker()), left.lastModified(), now)) {
        delete(left.marker().name());
      }
    }
  }

  /** Whether an upload (or a marker) with {@code marker}, begun at {@code started}, belongs to a dead run. */
  static boolean isDead(Optional<UploadMarker> marker, Instant started, Instant now) {
    if (marker.isEmpty()) {
      return started != null && started.isBefore(now.minus(UNMARKED_AGE));
    }
    if (marker.get().ofThisHost()) {
      return !marker.get().processAlive();
    }
    return started != null && started.isBefore(now.minus(OTHER_HOST_AGE));
  }

  /** A marker found in the listing, with when it was put. */
  private record MarkerObject(UploadMarker marker, Instant lastModified) {}

  private Map<String, MarkerObject> markers() {
    Map<String, MarkerObject> byUpload = new HashMap<>();
    String markerPrefix = prefix.location().key() + UploadMarker.PREFIX;
    for (S3Object o : prefix.client().listObjectsV2Paginator(r -> r.bucket(prefix.bucket()).prefix(markerPrefix)
        .delimiter("/").overrideConfiguration(S3Connection.SMALL_REQUEST)).contents()) {
      UploadMarker.parse(o.key().substring(prefix.location().key().length()))
          .ifPresent(m -> byUpload.put(m.uploadHash(), new MarkerObject(m, o.lastModified())));
    }
    return byUpload;
  }

  private void abort(MultipartUpload upload) {
    try {
      LOG.debug("aborting upload {} of {}, left by a run that died", upload.uploadId(), upload.key());
      prefix.client().abortMultipartUpload(r -> r.bucket(prefix.bucket()).key(upload.key())
          .uploadId(upload.uploadId()).overrideConfiguration(S3Connection.SMALL_REQUEST));
    } catch (SdkException e) {
      LOG.debug("cannot abort upload {} of {}", upload.uploadId(), upload.key(), e);
    }
  }

  private void delete(String markerName) {
    try {
      prefix.client().deleteObject(r -> r.bucket(prefix.bucket()).key(prefix.key(markerName))
          .overrideConfiguration(S3Connection.SMALL_REQUEST));
    } catch (SdkException e) {
      LOG.debug("cannot delete marker {}", markerName, e);
    }
  }
}
