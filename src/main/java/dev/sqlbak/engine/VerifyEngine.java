package dev.sqlbak.engine;

import dev.sqlbak.age.AgeKeys;
import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.Fingerprint;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.LocalFolderStore;
import dev.sqlbak.storage.LocalPath;
import dev.sqlbak.storage.Location;
import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.S3Location;
import dev.sqlbak.storage.S3Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether backups are good: SQLite's own check, the {@code .sha256} sidecar, optionally a
 * comparison with the live source and user assertions. A folder (or an S3 prefix) stands for the
 * backups in it, series by series (see {@link SeriesListing}). Never prints; returns one verdict per file.
 */
public final class VerifyEngine {

  /**
   * Verifies every file of the request, and the backups of every folder in it (all of them, or the
   * newest of each series); a folder without backups gets a {@link Verdict.Status#NO_BACKUPS}
   * verdict. The whole call fails only if {@code against} cannot be read, if an S3 bucket cannot be
   * reached at all, or if {@code --latest} names no folder to pick from.
   */
  public List<Verdict> verify(VerifyRequest request) {
    List<Argument> arguments = request.backups().stream().map(a -> Argument.of(a, request.s3())).toList();
    if (request.selection() == VerifyRequest.Selection.LATEST && arguments.stream().noneMatch(Argument::folder)) {
      for (Location argument : request.backups()) {
        if (argument instanceof LocalPath local && !Files.exists(local.path())) {
          // A cron job whose backup folder is gone (an unmounted disk) must hear that, not a usage error.
          throw SqlbakException.failed("directory not found", argument, null);
        }
      }
      // A glob such as /backups/* hands over files; checking them all, or only one, would not be what was asked.
      throw SqlbakException.usage("--latest needs a folder", request.backups().get(0) + " is not one",
          "give the folder that holds the backups, such as sqlbak verify --latest /backups/");
    }
    Optional<Fingerprint> source = request.against() == null
        ? Optional.empty() : Optional.of(Fingerprint.of(request.against(), request.busyTimeout()));
    BackupInspection inspection = new BackupInspection(request.check(), source, request.assertions(),
        AgeKeys.decryption(request.identities()));
    List<Verdict> verdicts = new ArrayList<>();
    List<Path> localArguments = request.backups().stream().filter(LocalPath.class::isInstance)
        .map(l -> ((LocalPath) l).path()).toList();
    for (Argument argument : arguments) {
      if (argument.folder()) {
        verdicts.addAll(argument.verifyFolder(request.selection(), inspection));
      } else if (argument.store() != null) {
        verdicts.add(inspectStored(argument.store(), argument.name(), argument.shown(), inspection));
      } else {
        Path path = ((LocalPath) argument.shown()).path();
        sidecarOrBackup(path, localArguments).ifPresent(b -> verdicts.add(b == path
            ? inspection.inspect(b) : backupOfSidecar(inspection, path, b)));
      }
    }
    return verdicts;
  }

  /**
   * One argument of verify, told apart before anything is checked: a local folder or an S3 prefix
   * ({@code folder}, with its store), an S3 object ({@code store} and {@code name}), or a local file.
   *
   * @param shown the argument as the user gave it
   * @param folder whether it stands for the backups in it
   * @param store the store that holds it (folders and S3 objects); null for a local file
   * @param name the object's name in {@code store}, for an S3 object
   */
  private record Argument(Location shown, boolean folder, BackupStore store, String name) {
    static Argument of(Location argument, S3Options s3) {
      if (argument instanceof LocalPath local) {
        return Files.isDirectory(local.path())
            ? new Argument(argument, true, new LocalFolderStore(local.path()), null)
            : new Argument(argument, false, null, null);
      }
      S3Location remote = (S3Location) argument;
      if (!remote.namesPrefix()) {
        // The object of that key if there is one, else the backups under key/ (as a path names a file or a folder).
        BackupStore parent = BackupFolder.s3Prefix(remote.parent(), s3);
        try {
          if (parent.exists(remote.fileName())) {
            return new Argument(argument, false, parent, remote.fileName());
          }
        } catch (IOException e) {
          throw Failures.store("cannot list directory", parent, e);
        }
      }
      return new Argument(argument, true, BackupFolder.s3Prefix(remote.asPrefix(), s3), null);
    }

    List<Verdict> verifyFolder(VerifyRequest.Selection selection, BackupInspection inspection) {
      List<Verdict> verdicts = VerifyEngine.verifyFolder(shown, store, selection, inspection);
      if (shown instanceof S3Location s3 && !s3.namesPrefix() && verdicts.size() == 1
          && verdicts.get(0).status() == Verdict.Status.NO_BACKUPS) {
        // Neither an object nor a prefix with backups: what the user named is not there.
        return List.of(new Verdict(s3, Verdict.Status.UNREADABLE, List.of("not found"), List.of()));
      }
      return verdicts;
    }
  }

  /** The backups of one folder or prefix, series by series, newest first within each. */
  static List<Verdict> verifyFolder(Location folder, BackupStore store, VerifyRequest.Selection selection,
      BackupInspection inspection) {
    List<String> backups;
    try {
      backups = backupsIn(store, selection);
    } catch (IOException e) {
      return List.of(new Verdict(folder, Verdict.Status.UNREADABLE,
          List.of("cannot list directory: " + Failures.reason(e)), List.of()));
    }
    if (backups.isEmpty()) {
      return List.of(Verdict.noBackups(folder));
    }
    List<Verdict> verdicts = new ArrayList<>();
    for (String name : backups) {
      verdicts.add(inspectStored(store, name, folder.resolve(name), inspection));
    }
    return verdicts;
  }

  /** Inspects the backup {@code name} of {@code store} where SQLite can read it, with its sidecar beside it. */
  private static Verdict inspectStored(BackupStore store, String name, Location shown, BackupInspection inspection) {
    try (BackupStore.LocalCopy copy = store.local(name, Sidecar.SUFFIX)) {
      return inspection.inspect(copy.file()).shownAs(shown);
    } catch (IOException e) {
      return unreadable(shown, e);
    }
  }

  private static Verdict unreadable(Location shown, IOException e) {
    String reason = e instanceof NoSuchFileException ? "not found"
        : e instanceof RemoteFailure remote ? remote.what() + remote.hint().map(h -> "; " + h).orElse("")
        : dev.sqlbak.storage.AtomicDestination.isNoSpace(e)
            ? "the scratch folder it is downloaded to is full; set TMPDIR to a folder with room"
        : Failures.reason(e);
    return new Verdict(shown, Verdict.Status.UNREADABLE, List.of(reason), List.of());
  }

  /**
   * What a file argument stands for: itself; or, for a {@code .sha256} sidecar (as a shell glob
   * such as {@code /backups/*} hands them over), its backup, unless that is an argument too (then
   * nothing: it is checked once, with its sidecar).
   */
  private static Optional<Path> sidecarOrBackup(Path argument, List<Path> arguments) {
    String name = argument.getFileName() == null ? "" : argument.getFileName().toString();
    if (!name.endsWith(Sidecar.SUFFIX) || name.equals(Sidecar.SUFFIX) || !Files.isRegularFile(argument)) {
      return Optional.of(argument);
    }
    Path backup = argument.resolveSibling(name.substring(0, name.length() - Sidecar.SUFFIX.length()));
    return arguments.contains(backup) ? Optional.empty() : Optional.of(backup);
  }

  private static Verdict backupOfSidecar(BackupInspection inspection, Path sidecar, Path backup) {
    if (!Files.exists(backup)) {
      return new Verdict(backup, Verdict.Status.UNREADABLE,
          List.of("missing; its checksum file " + sidecar.getFileName() + " is still there"), List.of());
    }
    return inspection.inspect(backup);
  }

  /** The names of the backups in {@code store} to verify, series by series, newest first within each. */
  private static List<String> backupsIn(BackupStore store, VerifyRequest.Selection selection) throws IOException {
    List<String> backups = new ArrayList<>();
    for (SeriesListing.Group g : SeriesListing.read(store, Optional.empty())) {
      List<SeriesListing.Entry> entries = selection == VerifyRequest.Selection.LATEST
          ? g.newestFirst().subList(0, 1) : g.newestFirst();
      for (SeriesListing.Entry e : entries) {
        backups.add(e.backup().name());
      }
    }
    return backups;
  }
}
