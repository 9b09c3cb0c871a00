package dev.sqlbak.engine;

import dev.sqlbak.copy.StagedCopy;
import dev.sqlbak.payload.Payload;
import dev.sqlbak.payload.Provenance;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.retention.BackupNames;
import dev.sqlbak.storage.BackupStore.Publish;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.NameLock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a checked backup at its final name in its store (a file destination's name, or the next
 * free timestamped name of its series) and then its {@code .sha256} sidecar, each appearing whole
 * or not at all.
 */
final class BackupPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(BackupPublisher.class);

  /** Whether a backup gets a {@code .sha256} sidecar: every backup but a restore's safety copy. */
  enum Sidecars { WRITTEN, OMITTED }

  private final BackupStore store;
  private final Sidecars sidecars;
  private final UploadWatch watch;
  private final List<String> warnings = new ArrayList<>();

  /** A publisher into {@code store}, where the copies were staged; {@code watch} lets a signal stop its uploads. */
  BackupPublisher(BackupStore store, Sidecars sidecars, UploadWatch watch) {
    this.store = store;
    this.sidecars = sidecars;
    this.watch = watch;
  }

  /**
   * Publishes {@code payload} of {@code stage} under {@code name}: refused if the name is taken
   * unless {@code mode} says to replace it. Runs publishing one name take turns, or the sidecar of
   * a run whose backup another run has replaced meanwhile could land last.
   */
  String publishAs(StagedCopy stage, Payload payload, String name, Publish mode, Provenance provenance) {
    try {
      if (sidecars == Sidecars.OMITTED) {
        return publishWithSidecar(stage, payload, name, mode, provenance);
      }
      try (NameLock turn = lock(stage, name)) {
        return publishWithSidecar(stage, payload, name, mode, provenance);
      }
    } catch (FileAlreadyExistsException e) {
      throw SqlbakException.failed("destination exists", store.describe(name),
          "it appeared while the backup ran; use --force to replace it", e);
    }
  }

  /**
   * Takes the lock on the series name {@code name} in the store, held until closed: runs of two
   * sources that would publish under one name must take turns, so that the second sees the first's
   * backup and is refused, rather than both publishing at once.
   */
  NameLock lockSeries(StagedCopy stage, String name) {
    return lock(stage, name + ".series");
  }

  private NameLock lock(StagedCopy stage, String name) {
    try {
      return store.lockName(name);
    } catch (IOException e) {
      throw Failures.write("cannot write backup", stage.output().folder(), 0, Failures.reason(e), e);
    }
  }

  /**
   * Publishes {@code payload} under the timestamped name of {@code stem} for {@code time}'s second,
   * or the first free second after it.
   */
  String publishTimestamped(StagedCopy stage, Payload payload, String stem, String suffix, Instant time,
      Provenance provenance) {
    Instant when = time;
    while (true) {
      when = BackupNames.nextFree(names(stage), stem, when);
      String name = BackupNames.nameFor(stem, when) + suffix;
      try {
        return publishWithSidecar(stage, payload, name, Publish.CREATE_NEW, provenance);
      } catch (FileAlreadyExistsException raced) {
        LOG.debug("{} was taken meanwhile; trying the next second", name);
        when = when.plusSeconds(1);
      }
    }
  }

  /** What went wrong without failing a backup (a sidecar that could not be written), for the user. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The store this publisher publishes into. */
  BackupStore store() {
    return store;
  }

  private List<String> names(StagedCopy stage) {
    try {
      return store.list().stream().map(BackupStore.StoredFile::name).toList();
    } catch (IOException e) {
      throw Failures.write("cannot write backup", stage.output().folder(), 0, Failures.reason(e), e);
    }
  }

  /**
   * The backup, then its sidecar. The sidecar is written before the backup is published, so that
   * publishing it afterwards needs no free space.
   *
   * @throws FileAlreadyExistsException if {@code mode} is CREATE_NEW and {@code name} is taken
   */
  private String publishWithSidecar(StagedCopy stage, Payload payload, String name, Publish mode,
      Provenance provenance) throws FileAlreadyExistsException {
    BackupStore.Staging staging = stage.output();
    Path sidecar = null;
    Path oldSidecar = null;
    try {
      if (sidecars == Sidecars.WRITTEN) {
        sidecar = staging.prepareText("sha256", Sidecar.text(payload.sha256(), name, provenance));
        if (mode == Publish.REPLACE && store.publishesByUpload()) {
          replaceByUpload(staging, payload, sidecar, name);
          return name;
        }
        if (mode == Publish.REPLACE) {
          // An old sidecar beside the new backup would not match it; a missing one is honest. It
          // is kept aside, to be put back if the new backup does not land.
          oldSidecar = setAside(staging, name + Sidecar.SUFFIX);
        }
      }
      Path aside = oldSidecar;
      // Put back within the upload's turn, so that a signal waits for it before the exit.
      watch.publish(name, () -> {
        try {
          store.publish(staging, payload.file(), name, mode);
        } catch (IOException e) {
          putBack(staging, aside, name);
          throw e;
        }
      });
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (InterruptedIOException e) {
      // A signal stopped the upload and the process's own line says so. Failures.write would probe
      // the scratch folder with a file of its own, which the exit, running meanwhile, can leave behind.
      throw SqlbakException.failed("interrupted", store.describe(name), null, e);
    } catch (IOException e) {
      throw Failures.write("cannot write backup", staging.folder(), 0, Failures.reason(e), e);
    }
    if (sidecar != null) {
      publishSidecar(staging, sidecar, name);
    }
    return name;
  }

  /**
   * Replaces a backup and its sidecar in a store that uploads: an upload takes long, and a sidecar
   * removed (or set aside on this machine) for all that time would be lost to a kill -9. So the
   * old pair stays until the new backup has landed, and the sidecar follows at once, in the same
   * turn, so that a signal waits for both. If the new sidecar cannot land, the old one, which no
   * longer matches, is removed: a missing sidecar is honest.
   */
  private void replaceByUpload(BackupStore.Staging staging, Payload payload, Path sidecar, String name)
      throws IOException {
    String sidecarName = name + Sidecar.SUFFIX;
    watch.publish(name, () -> {
      store.publish(staging, payload.file(), name, Publish.REPLACE);
      try {
        store.publish(staging, sidecar, sidecarName, Publish.REPLACE);
      } catch (IOException e) {
        LOG.debug("cannot publish the sidecar of {}", store.describe(name), e);
        store.delete(sidecarName);
        warnings.add("backup " + store.describe(name) + " is complete, but its checksum file could not be written: "
            + Failures.reason(e) + "; verify cannot check its bytes");
      }
    });
  }

  /**
   * Removes the sidecar {@code sidecarName} from the store, keeping its text in a staged file;
   * returns that file, or null if there was no sidecar.
   */
  private Path setAside(BackupStore.Staging staging, String sidecarName) throws IOException {
    String text;
    try (java.io.InputStream in = store.open(sidecarName)) {
      text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
    Path kept = staging.prepareText("old.sha256", text);
    store.delete(sidecarName);
    return kept;
  }

  /** Puts a sidecar set aside back beside the old backup that a failed replacement left in place. */
  private void putBack(BackupStore.Staging staging, Path oldSidecar, String name) {
    if (oldSidecar == null) {
      return;
    }
    try {
      store.publish(staging, oldSidecar, name + Sidecar.SUFFIX, Publish.CREATE_NEW);
    } catch (IOException e) {
      // The run fails anyway, with the line of what stopped the replacement.
      LOG.debug("the checksum file of {} could not be put back ({}); verify cannot check its bytes",
          store.describe(name), Failures.reason(e));
    }
  }

  /** A backup whose sidecar cannot be written is still complete: said, not failed. */
  private void publishSidecar(BackupStore.Staging staging, Path sidecar, String name) {
    try {
      String sidecarName = name + Sidecar.SUFFIX;
      watch.publish(sidecarName, () -> store.publish(staging, sidecar, sidecarName, Publish.REPLACE));
    } catch (IOException e) {
      LOG.debug("cannot publish the sidecar of {}", store.describe(name), e);
      warnings.add("backup " + store.describe(name) + " is complete, but its checksum file could not be written: "
          + Failures.reason(e) + "; verify cannot check its bytes, and list shows no source for it");
    }
  }
}
