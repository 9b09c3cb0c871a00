package dev.sqlbak.engine;

import dev.sqlbak.copy.StagedCopy;
import dev.sqlbak.payload.Payload;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.storage.AtomicDestination;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a checked backup at its final name (a file destination's, or the next free timestamped name
 * in a folder) and then its {@code .sha256} sidecar, each appearing whole or not at all.
 */
final class BackupPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(BackupPublisher.class);

  /** Whether a backup gets a {@code .sha256} sidecar: every backup but a restore's safety copy. */
  enum Sidecars { WRITTEN, OMITTED }

  private BackupPublisher() {}

  /** Publishes {@code payload}, staged in {@code stage}'s folder, as {@code target} says; returns where. */
  static Path publish(StagedCopy stage, Payload payload, BackupTarget target, Instant snapshotTime,
      boolean force, Sidecars sidecars) {
    if (target.kind() != BackupTarget.Kind.FILE || sidecars == Sidecars.OMITTED) {
      return publishWithSidecar(stage, payload, target, snapshotTime, force, sidecars);
    }
    // The file and its checksum are two renames. Runs publishing one file name take turns, or the
    // checksum of a run whose file another run has replaced meanwhile could land last.
    AtomicDestination.NameLock turn;
    try {
      turn = AtomicDestination.lockName(stage.staging().folder(), target.destination().getFileName().toString());
    } catch (IOException e) {
      throw Failures.write("cannot write backup", stage.staging().folder(), 0, Failures.reason(e), e);
    }
    try {
      return publishWithSidecar(stage, payload, target, snapshotTime, force, sidecars);
    } finally {
      turn.close();
    }
  }

  private static Path publishWithSidecar(StagedCopy stage, Payload payload, BackupTarget target,
      Instant snapshotTime, boolean force, Sidecars sidecars) {
    AtomicDestination dest = stage.staging();
    Path published;
    try {
      published = target.kind() == BackupTarget.Kind.FILE
          ? publishAsFile(dest, payload, target.destination(), force, sidecars)
          : publishInFolder(stage, payload, target, snapshotTime, sidecars);
    } catch (FileAlreadyExistsException e) {
      throw SqlbakException.failed("destination exists", target.destination(),
          "it appeared while the backup ran; use --force to replace it", e);
    } catch (IOException e) {
      throw Failures.write("cannot write backup", dest.folder(), 0, Failures.reason(e), e);
    }
    if (sidecars == Sidecars.WRITTEN) {
      try {
        dest.publishSidecar(Sidecar.of(published));
      } catch (IOException e) {
        LOG.warn("backup {} is complete, but its checksum file could not be written: {}",
            published, Failures.reason(e));
      }
    }
    return published;
  }

  private static Path publishAsFile(AtomicDestination dest, Payload payload, Path destination, boolean force,
      Sidecars sidecars) throws IOException {
    if (sidecars == Sidecars.WRITTEN) {
      dest.prepareSidecar(Sidecar.line(payload.sha256(), destination.getFileName().toString()));
      if (force) {
        // An old sidecar beside the new backup would not match it; a missing one is honest.
        Files.deleteIfExists(Sidecar.of(destination));
      }
    }
    dest.publish(payload.file(), destination, force);
    return destination;
  }

  /** Publishes under the first free timestamped name at or after the snapshot's second. */
  private static Path publishInFolder(StagedCopy stage, Payload payload, BackupTarget target, Instant snapshotTime,
      Sidecars sidecars) throws IOException {
    AtomicDestination dest = stage.staging();
    String stem = BackupNames.stemOf(stage.sourceFile());
    Instant when = snapshotTime;
    while (true) {
      when = BackupNames.nextFree(target.destination(), stem, when);
      Path named = target.destination().resolve(BackupNames.nameFor(stem, when) + target.compression().suffix());
      if (sidecars == Sidecars.WRITTEN) {
        dest.prepareSidecar(Sidecar.line(payload.sha256(), named.getFileName().toString()));
      }
      try {
        dest.publish(payload.file(), named, false);
        return named;
      } catch (FileAlreadyExistsException raced) {
        LOG.debug("{} was taken meanwhile; trying the next second", named);
      }
    }
  }
}
