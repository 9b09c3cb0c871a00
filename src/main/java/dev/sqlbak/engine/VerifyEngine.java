package dev.sqlbak.engine;

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
    if (request.selection() == VerifyRequest.Selection.LATEST
        && request.backups().stream().noneMatch(VerifyEngine::mayBeFolder)) {
      for (Location argument : request.backups()) {
        if (!Files.exists(((LocalPath) argument).path())) {
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
    BackupInspection inspection = new BackupInspection(request.check(), source, request.assertions());
    List<Verdict> verdicts = new ArrayList<>();
    List<Path> localArguments = request.backups().stream().filter(LocalPath.class::isInstance)
        .map(l -> ((LocalPath) l).path()).toList();
    for (Location argument : request.backups()) {
      if (argument instanceof S3Location s3) {
        verdicts.addAll(verifyRemote(s3, request, inspection));
      } else {
        Path path = ((LocalPath) argument).path();
        if (Files.isDirectory(path)) {
          verdicts.addAll(verifyFolder(argument, new LocalFolderStore(path), request.selection(), inspection));
        } else {
          sidecarOrBackup(path, localArguments).ifPresent(b -> verdicts.add(b == path
              ? inspection.inspect(b) : backupOfSidecar(inspection, path, b)));
        }
      }
    }
    return verdicts;
  }

  /** Whether {@code argument} may name a folder: a local folder, or any S3 location (a prefix, unless an object has its key). */
  private static boolean mayBeFolder(Location argument) {
    return argument instanceof S3Location || Files.isDirectory(((LocalPath) argument).path());
  }

  /**
   * An S3 argument: the object of that key, or else the prefix. Under {@code --latest} it is always
   * a prefix, as a folder is what --latest picks from.
   */
  private static List<Verdict> verifyRemote(S3Location argument, VerifyRequest request, BackupInspection inspection) {
    if (!argument.namesPrefix() && request.selection() == VerifyRequest.Selection.EVERY) {
      BackupStore parent = BackupFolder.s3Prefix(argument.parent(), request.s3());
      try {
        if (parent.exists(argument.fileName())) {
          return List.of(inspectStored(parent, argument.fileName(), argument, inspection));
        }
      } catch (IOException e) {
        return List.of(unreadable(argument, e));
      }
    }
    BackupStore prefix = BackupFolder.s3Prefix(argument.asPrefix(), request.s3());
    List<Verdict> verdicts = verifyFolder(argument.asPrefix(), prefix, request.selection(), inspection);
    if (!argument.namesPrefix() && verdicts.size() == 1
        && verdicts.get(0).status() == Verdict.Status.NO_BACKUPS) {
      // Neither an object nor a prefix with backups: what the user named is not there.
      return List.of(new Verdict(argument, Verdict.Status.UNREADABLE, List.of("not found"), List.of()));
    }
    return verdicts;
  }

  /** The backups of one folder or prefix, series by series, newest first within each. */
  private static List<Verdict> verifyFolder(Location folder, BackupStore store, VerifyRequest.Selection selection,
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
