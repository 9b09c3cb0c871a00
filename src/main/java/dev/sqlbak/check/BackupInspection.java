package dev.sqlbak.check;

import dev.sqlbak.engine.Failures;
import dev.sqlbak.payload.Decryption;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.payload.Sha256;
import dev.sqlbak.payload.Sidecar;
import dev.sqlbak.sqlite.SqliteDatabase;
import dev.sqlbak.sqlite.SqliteFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether one backup file is good: its {@code .sha256} sidecar, SQLite's own check, and
 * optionally a comparison with the live source ({@link Fingerprint}) and the user's assertions.
 */
public final class BackupInspection {
  /**
   * What a failed check of a backup's content may mean: the copy is the source's pages as they
   * were, so a backup made with {@code --check quick} reproduces index damage that only
   * integrity_check sees in the source too.
   */
  public static final String SOURCE_TOO_HINT = "the damage may be in the source too (a backup made with"
      + " --check quick copies index damage that only integrity_check sees): check the source with"
      + " PRAGMA integrity_check";

  private final CheckLevel check;
  private final Fingerprint source;
  private final List<String> assertions;
  private final Decryption decryption;

  /**
   * An inspection by {@code check}, comparing with {@code source} if it is present, then asserting
   * {@code assertions}; an encrypted backup is opened with {@code decryption}.
   */
  public BackupInspection(CheckLevel check, Optional<Fingerprint> source, List<String> assertions,
      Decryption decryption) {
    this.check = check;
    this.source = source.orElse(null);
    this.assertions = List.copyOf(assertions);
    this.decryption = decryption;
  }

  /** An inspection that cannot open encrypted backups, as {@link #BackupInspection(CheckLevel, Optional, List, Decryption)}. */
  public BackupInspection(CheckLevel check, Optional<Fingerprint> source, List<String> assertions) {
    this(check, source, assertions, Decryption.NONE);
  }

  /** Checks {@code file} with SQLite's check and its sidecar only: what prune asks of the backups it keeps. */
  public static Verdict of(Path file, CheckLevel check) {
    return new BackupInspection(check, Optional.empty(), List.of()).inspect(file);
  }

  /**
   * Checks a backup already opened (decompressed) with SQLite's check and its sidecar only: what
   * restore needs before it touches anything.
   */
  public static Verdict ofOpened(Path file, ReadableBackup opened, CheckLevel check) {
    return new BackupInspection(check, Optional.empty(), List.of()).inspect(file, Optional.of(opened));
  }

  /** Inspects {@code file}, opening (and decompressing) it as needed. */
  public Verdict inspect(Path file) {
    return inspect(file, Optional.empty());
  }

  private Verdict inspect(Path file, Optional<ReadableBackup> opened) {
    List<String> problems = new ArrayList<>();
    List<String> checks = new ArrayList<>();
    Optional<Verdict> unfit = checkFile(file, problems, checks);
    if (unfit.isPresent()) {
      return unfit.get();
    }
    // A sidecar that disagrees means the bytes changed after the backup was written: the source is not to blame.
    boolean bytesChanged = !problems.isEmpty();
    boolean contentDamaged = false;
    ReadableBackup readable;
    try {
      readable = opened.isPresent() ? opened.get() : ReadableBackup.open(file, decryption);
    } catch (ReadableBackup.CorruptCompression | Decryption.DamagedCiphertext e) {
      problems.add(e.getMessage());
      return new Verdict(file, Verdict.Status.BAD, problems, checks);
    } catch (Decryption.IdentityMissing e) {
      return withoutIdentity(file, problems, checks);
    } catch (Decryption.WrongIdentity e) {
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of("encrypted with age: " + e.getMessage() + "; "
          + e.hint()), checks);
    } catch (IOException e) {
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of(unreadable(e)), checks);
    }
    Optional<String> cut = cutShort(readable);
    if (cut.isPresent()) {
      problems.add(cut.get());
      if (opened.isEmpty()) {
        readable.close();
      }
      return new Verdict(file, Verdict.Status.BAD, problems, checks);
    }
    try (SqliteDatabase db = ReadableBackup.openDatabase(readable.database())) {
      contentDamaged = checkContent(db, problems, checks);
    } catch (SqliteFailure f) {
      Optional<String> problem = problemOf(f, file);
      if (problem.isEmpty()) {
        return new Verdict(file, Verdict.Status.UNREADABLE, List.of("cannot open: " + f.getMessage()), checks);
      }
      problems.add(problem.get());
      contentDamaged = f.reason() == SqliteFailure.Reason.CORRUPT;
    } finally {
      if (opened.isEmpty()) {
        readable.close();
      }
    }
    Optional<String> hint = contentDamaged && !bytesChanged ? Optional.of(SOURCE_TOO_HINT) : Optional.empty();
    return new Verdict(file, problems.isEmpty() ? Verdict.Status.OK : Verdict.Status.BAD, problems, checks, hint);
  }

  /**
   * An encrypted backup and no identity to open it: its sidecar's hash, checked already, is all
   * that can be checked. The age data authenticates itself when it is decrypted, so bytes that
   * match the hash written with them decrypt as they did then.
   */
  private Verdict withoutIdentity(Path file, List<String> problems, List<String> checks) {
    if (!problems.isEmpty()) {
      return new Verdict(file, Verdict.Status.BAD, problems, checks);
    }
    if (source != null || !assertions.isEmpty()) {
      // Checks asked for by name cannot be skipped quietly: a nightly drill would pass forever.
      return new Verdict(file, Verdict.Status.UNREADABLE, List.of("encrypted with age: "
          + (source != null ? "--against" : "--assert") + " needs --identity FILE to open it"), checks);
    }
    if (checks.contains("sha256")) {
      return new Verdict(file, Verdict.Status.OK, problems, checks,
          Optional.of("encrypted: its content is checked only with --identity"));
    }
    return new Verdict(file, Verdict.Status.UNREADABLE, List.of("encrypted with age and without a checksum file:"
        + " give --identity FILE to check it"), checks);
  }

  /**
   * What makes the opened backup no whole database before SQLite looks at it: nothing at all once
   * decrypted or decompressed (SQLite would open that as an empty database), or fewer bytes than
   * its header names.
   */
  private static Optional<String> cutShort(ReadableBackup readable) {
    try {
      if (Files.size(readable.database()) == 0) {
        return Optional.of("empty once " + (readable.encrypted() ? "decrypted" : "decompressed")
            + " (0 bytes), not a database");
      }
      return HeaderLength.truncation(readable.database());
    } catch (IOException e) {
      return Optional.empty(); // SQLite's own open says what is wrong with a file that cannot be read
    }
  }

  /** Why a backup could not be opened: a full scratch folder said as such, else the OS's reason. */
  private static String unreadable(IOException e) {
    if (dev.sqlbak.storage.AtomicDestination.isNoSpace(e)) {
      return "no room to decrypt or decompress it in the scratch folder " + ReadableBackup.scratchFolder()
          + ": set TMPDIR to a folder with room";
    }
    return Failures.reason(e);
  }

  /** The checks on the file itself, before it is opened: present, a file, not empty, matching its sidecar. */
  private static Optional<Verdict> checkFile(Path file, List<String> problems, List<String> checks) {
    if (!Files.exists(file)) {
      return Optional.of(new Verdict(file, Verdict.Status.UNREADABLE, List.of("not found"), checks));
    }
    if (Files.isDirectory(file)) {
      return Optional.of(new Verdict(file, Verdict.Status.UNREADABLE, List.of("is a directory"), checks));
    }
    try {
      if (Files.size(file) == 0) {
        return Optional.of(new Verdict(file, Verdict.Status.BAD, List.of("empty file (0 bytes), not a database"),
            checks));
      }
      Path sidecar = Sidecar.of(file);
      if (Files.exists(sidecar)) {
        checks.add("sha256");
        sidecarProblem(file, sidecar).ifPresent(problems::add);
      }
    } catch (NoSuchFileException e) {
      return Optional.of(new Verdict(file, Verdict.Status.UNREADABLE, List.of("not found"), checks));
    } catch (IOException e) {
      return Optional.of(new Verdict(file, Verdict.Status.UNREADABLE, List.of(Failures.reason(e)), checks));
    }
    return Optional.empty();
  }

  /** Runs the content checks, adding what they find to {@code problems}; true if SQLite's own check found damage. */
  private boolean checkContent(SqliteDatabase db, List<String> problems, List<String> checks) throws SqliteFailure {
    boolean damaged = false;
    if (check != CheckLevel.NONE) {
      checks.add(check.pragma());
      List<String> found = db.check(check);
      problems.addAll(found.subList(0, Math.min(found.size(), 20)));
      damaged = !found.isEmpty();
    }
    if (source != null) {
      checks.add("against " + source.file());
      problems.addAll(source.differences(db));
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
    return damaged;
  }

  /** What SQLite's failure says is wrong with the backup; empty when the backup could not be opened at all. */
  private static Optional<String> problemOf(SqliteFailure f, Path file) {
    switch (f.reason()) {
      case NOT_A_DATABASE:
        return Optional.of("not a SQLite database");
      case CORRUPT:
        return Optional.of("corrupt: " + f.getMessage());
      case CANT_OPEN:
        return Optional.empty();
      case HOT_JOURNAL:
        // Only a writer leaves one, and verify never writes: rolling it back is the owner's call.
        return Optional.of("has a hot journal (" + file + "-journal): " + Failures.HOT_JOURNAL_HINT);
      default:
        return Optional.of(f.getMessage());
    }
  }

  /** Compares the sidecar's hash with the file's bytes; empty when they match. */
  private static Optional<String> sidecarProblem(Path file, Path sidecar) throws IOException {
    Sidecar content;
    try {
      content = Sidecar.parse(Files.readString(sidecar, StandardCharsets.UTF_8));
    } catch (java.nio.charset.CharacterCodingException e) {
      // sqlbak writes its sidecars in UTF-8; bytes that are not are not a checksum file of its.
      return Optional.of("checksum file " + sidecar.getFileName() + " is not text (damaged, or not a checksum file)");
    }
    if (!content.holdsSha256()) {
      return Optional.of("checksum file " + sidecar.getFileName() + " holds no SHA-256");
    }
    String actual = Sha256.of(file);
    return actual.equals(content.sha256()) ? Optional.empty() : Optional.of("sha256 mismatch: the file changed"
        + " after it was written (checksum file " + sidecar.getFileName() + ")");
  }
}
