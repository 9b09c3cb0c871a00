package dev.sqlbak.engine;

import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.Fingerprint;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.storage.LocalFolderStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether backups are good: SQLite's own check, the {@code .sha256} sidecar, optionally a
 * comparison with the live source and user assertions. A folder stands for the backups in it,
 * series by series (see {@link SeriesListing}). Never prints; returns one verdict per file.
 */
public final class VerifyEngine {

  /**
   * Verifies every file of the request, and the backups of every folder in it (all of them, or the
   * newest of each series); a folder without backups gets a {@link Verdict.Status#NO_BACKUPS}
   * verdict. The whole call fails only if {@code against} cannot be read, or if {@code --latest}
   * names no folder to pick from.
   */
  public List<Verdict> verify(VerifyRequest request) {
    if (request.selection() == VerifyRequest.Selection.LATEST
        && request.backups().stream().noneMatch(Files::isDirectory)) {
      for (Path argument : request.backups()) {
        if (!Files.exists(argument)) {
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
    for (Path argument : request.backups()) {
      if (!Files.isDirectory(argument)) {
        sidecarOrBackup(argument, request.backups()).ifPresent(b -> verdicts.add(b == argument
            ? inspection.inspect(b) : backupOfSidecar(inspection, argument, b)));
        continue;
      }
      List<Path> backups;
      try {
        backups = backupsIn(argument, request.selection());
      } catch (IOException e) {
        verdicts.add(new Verdict(argument, Verdict.Status.UNREADABLE,
            List.of("cannot list directory: " + Failures.reason(e)), List.of()));
        continue;
      }
      if (backups.isEmpty()) {
        verdicts.add(Verdict.noBackups(argument));
      }
      for (Path backup : backups) {
        verdicts.add(inspection.inspect(backup));
      }
    }
    return verdicts;
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

  /** The backups in {@code folder} to verify, series by series, newest first within each. */
  private static List<Path> backupsIn(Path folder, VerifyRequest.Selection selection) throws IOException {
    LocalFolderStore store = new LocalFolderStore(folder);
    List<Path> backups = new ArrayList<>();
    for (SeriesListing.Group g : SeriesListing.read(store, Optional.empty())) {
      List<SeriesListing.Entry> entries = selection == VerifyRequest.Selection.LATEST
          ? g.newestFirst().subList(0, 1) : g.newestFirst();
      for (SeriesListing.Entry e : entries) {
        backups.add(store.pathOf(e.backup().name()));
      }
    }
    return backups;
  }
}
