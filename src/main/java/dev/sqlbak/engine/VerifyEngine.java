package dev.sqlbak.engine;

import dev.sqlbak.check.BackupInspection;
import dev.sqlbak.check.Fingerprint;
import dev.sqlbak.check.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether backups are good: SQLite's own check, the {@code .sha256} sidecar, optionally a
 * comparison with the live source and user assertions. Never prints; returns one verdict per file.
 */
public final class VerifyEngine {

  /** Verifies every file of the request; the whole call fails only if {@code against} cannot be read. */
  public List<Verdict> verify(VerifyRequest request) {
    Optional<Fingerprint> source = request.against() == null
        ? Optional.empty() : Optional.of(Fingerprint.of(request.against(), request.busyTimeout()));
    BackupInspection inspection = new BackupInspection(request.check(), source, request.assertions());
    List<Verdict> verdicts = new ArrayList<>();
    for (Path file : request.backups()) {
      verdicts.add(inspection.inspect(file));
    }
    return verdicts;
  }
}
