package dev.sqlbak.engine;

import dev.sqlbak.check.CheckLevel;
import dev.sqlbak.check.Verdict;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import dev.sqlbak.sqlite.TableDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether backups are good: SQLite's own check, the {@code .sha256} sidecar, optionally a
 * comparison with the live source and user assertions. Never prints; returns one verdict per file.
 */
public final class VerifyEngine {

  /** A source's schema and per-table digests, read once in one read transaction. */
  private record Fingerprint(Path file, List<String> schema, Map<String, TableDigest> tables) {}

  /** Verifies every file of the request; the whole call fails only if {@code against} cannot be read. */
  public List<Verdict> verify(VerifyRequest request) {
    Fingerprint source = request.against() == null ? null : fingerprint(request.against(), request);
    List<Verdict> verdicts = new ArrayList<>();
    for (Path file : request.backups()) {
      verdicts.add(inspect(file, request.check(), source, request.assertions()));
    }
    return verdicts;
  }

  /**
   * Checks one backup, already opened (decompressed), with SQLite's check and its sidecar only:
   * what restore needs before it touches anything.
   */
  static Verdict inspect(Path file, ReadableBackup opened, CheckLevel check) {
    return inspect(file, opened, check, null, List.of());
  }

  private static Verdict inspect(Path file, CheckLevel check, Fingerprint source, List<String> assertions) {
    return inspect(file, null, check, source, assertions);
  }

  private static Verdict inspect(Path file, ReadableBackup opened, CheckLevel check, Fingerprint source,
      List<String> assertions) {
    List<String> problems = new ArrayList<>();
    List<String> checks = new ArrayList<>();
    if (!Files.exists(file)) {
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of("not found"), checks);
    }
    if (Files.isDirectory(file)) {
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of("is a directory"), checks);
    }
    try {
      if (Files.size(file) == 0) {
        return new Verdict(file, Verdict.Status.BAD, List.of("empty file (0 bytes), not a database"), checks);
      }
      Path sidecar = BackupEngine.sidecarOf(file);
      if (Files.exists(sidecar)) {
        checks.add("sha256");
        String problem = sidecarProblem(file, sidecar);
        if (problem != null) {
          problems.add(problem);
        }
      }
    } catch (NoSuchFileException e) {
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of("not found"), checks);
    } catch (IOException e) {
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of(BackupEngine.reason(e)), checks);
    }
    ReadableBackup readable = opened;
    try {
      if (readable == null) {
        readable = ReadableBackup.open(file);
      }
    } catch (ReadableBackup.CorruptCompression e) {
      problems.add(e.getMessage());
      return new Verdict(file, Verdict.Status.BAD, problems, checks);
    } catch (IOException e) {
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of(BackupEngine.reason(e)), checks);
    }
    try (SqliteDatabase db = ReadableBackup.openDatabase(readable.database())) {
      if (check != CheckLevel.NONE) {
        checks.add(check.pragma());
        List<String> found = db.check(check);
        problems.addAll(found.subList(0, Math.min(found.size(), 20)));
      }
      if (source != null) {
        checks.add("against " + source.file());
        problems.addAll(differences(db, source));
      }
      if (!assertions.isEmpty()) {
        db.forbidWrites();
        for (String sql : assertions) {
          checks.add("assert " + sql);
          String failed = db.failedAssertion(sql);
          if (failed != null) {
            problems.add("assertion " + sql + " " + failed);
          }
        }
      }
    } catch (SqliteFailure f) {
      switch (f.reason()) {
        case NOT_A_DATABASE:
          problems.add("not a SQLite database");
          break;
        case CORRUPT:
          problems.add("corrupt: " + f.getMessage());
          break;
        case CANT_OPEN:
          return new Verdict(file, Verdict.Status.UNREADABLE, List.of("cannot open: " + f.getMessage()), checks);
        case HOT_JOURNAL:
          // Only a writer leaves one, and verify never writes: rolling it back is the owner's call.
          problems.add("has a hot journal (" + file + "-journal): " + BackupEngine.HOT_JOURNAL_HINT);
          break;
        default:
          problems.add(f.getMessage());
      }
    } finally {
      if (opened == null) {
        readable.close();
      }
    }
    return new Verdict(file, problems.isEmpty() ? Verdict.Status.OK : Verdict.Status.BAD, problems, checks);
  }

  /** Compares the sidecar's hash with the file's bytes; null when they match. */
  private static String sidecarProblem(Path file, Path sidecar) throws IOException {
    String line = Files.readString(sidecar, StandardCharsets.UTF_8).trim();
    String expected = line.split("\\s+", 2)[0].toLowerCase(java.util.Locale.ROOT);
    if (!expected.matches("[0-9a-f]{64}")) {
      return "checksum file " + sidecar.getFileName() + " holds no SHA-256";
    }
    String actual = BackupEngine.sha256(file);
    return actual.equals(expected) ? null : "sha256 mismatch: the file changed after it was written (checksum file "
        + sidecar.getFileName() + ")";
  }

  private static Fingerprint fingerprint(Path sourceFile, VerifyRequest request) {
    try (SqliteDatabase db = SqliteDatabase.openReadOnly(LiveDatabaseFiles.open(sourceFile, "source"),
        request.busyTimeout())) {
      // One read transaction: the schema and every table digest describe the same moment.
      db.beginSnapshot(List.of("main"));
      List<String> schema = db.schemaDefinitions();
      Map<String, TableDigest> tables = new LinkedHashMap<>();
      for (String table : db.ordinaryTables()) {
        tables.put(table, db.digestTable(table));
      }
      db.endSnapshot();
      return new Fingerprint(sourceFile, schema, tables);
    } catch (SqliteFailure f) {
      throw BackupEngine.sourceFailure(f, sourceFile, request.busyTimeout());
    }
  }

  private static List<String> differences(SqliteDatabase backup, Fingerprint source) throws SqliteFailure {
    List<String> problems = new ArrayList<>();
    List<String> schema = backup.schemaDefinitions();
    if (!schema.equals(source.schema())) {
      Set<String> missing = new TreeSet<>(source.schema());
      missing.removeAll(schema);
      Set<String> extra = new TreeSet<>(schema);
      extra.removeAll(source.schema());
      problems.add("schema differs from " + source.file()
          + (missing.isEmpty() ? "" : "; missing " + missing.iterator().next().split(":")[0])
          + (extra.isEmpty() ? "" : "; extra " + extra.iterator().next().split(":")[0]));
    }
    for (Map.Entry<String, TableDigest> t : source.tables().entrySet()) {
      TableDigest theirs = t.getValue();
      TableDigest ours;
      try {
        ours = backup.digestTable(t.getKey());
      } catch (SqliteFailure f) {
        if (f.reason() != SqliteFailure.Reason.OTHER) {
          throw f;
        }
        continue; // the table is missing: the schema difference above already says so
      }
      if (ours.rows() != theirs.rows()) {
        problems.add("table " + t.getKey() + " has " + ours.rows() + " rows, the source " + theirs.rows());
      } else if (!ours.sha256().equals(theirs.sha256())) {
        problems.add("table " + t.getKey() + " content differs from the source");
      }
    }
    return problems;
  }
}
