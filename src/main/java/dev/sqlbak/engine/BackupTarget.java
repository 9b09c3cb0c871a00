package dev.sqlbak.engine;

import dev.sqlbak.age.AgeKeys;
import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.Encryption;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.LocalFolderStore;
import dev.sqlbak.storage.LocalPath;
import dev.sqlbak.storage.Location;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a backup's copies go, decided from its request before the source is opened: the kind of
 * destination, its compression, and its place (a file or folder on this machine, or an S3 object
 * or prefix).
 *
 * @param kind a file, a folder of timestamped backups, memory or a stream
 * @param compression how the published bytes are stored
 * @param destination the file or folder (real-path resolved), or the S3 object or prefix; null
 *     for memory and streams
 * @param remote the S3 store the destination is in (its prefix, or the object's); null unless the
 *     destination is in S3
 * @param encryption whether and to whom the published bytes are encrypted
 */
record BackupTarget(BackupTarget.Kind kind, Compression compression, Location destination, BackupStore remote,
    Encryption encryption) {
  /** Where the copies go. */
  enum Kind { FILE, DIRECTORY, MEMORY, STREAM }

  /** Whether the copies are published as files (a file or directory destination, local or in S3). */
  boolean toFiles() {
    return kind == Kind.FILE || kind == Kind.DIRECTORY;
  }

  /**
   * Whether the copy SQLite writes is itself what gets published: an uncompressed file backup.
   * A compressed one or a stream publishes something made from it, and the copy is deleted.
   */
  boolean publishesCopy() {
    return toFiles() && compression == Compression.NONE && !encryption.encrypts();
  }

  /** The suffix the published names end in: the compression's, then the encryption's ({@code .db.zst.age}). */
  String suffix() {
    return compression.suffix() + encryption.suffix();
  }

  /**
   * Where the copy is staged: the destination's folder; the private scratch folder for streams, S3
   * and encrypted backups (the copy holds the database's data in plain text); none for memory.
   */
  Path folder() {
    if (kind == Kind.MEMORY) {
      return null;
    }
    if (kind == Kind.STREAM || remote != null || encryption.encrypts()) {
      return ReadableBackup.scratchFolder();
    }
    return publishingFolder();
  }

  /** The local folder a file or directory destination publishes into. */
  Path publishingFolder() {
    Path local = ((LocalPath) destination).path();
    return kind == Kind.DIRECTORY ? local : local.getParent();
  }

  /**
   * The store the copies are published to: the destination's folder, the S3 store, or for a
   * stream the private scratch folder; none for memory.
   */
  BackupStore store() {
    if (remote != null) {
      return remote;
    }
    if (kind == Kind.MEMORY) {
      return null;
    }
    return new LocalFolderStore(kind == Kind.STREAM ? ReadableBackup.scratchFolder() : publishingFolder());
  }

  /**
   * The store the copy is staged in: the publishing store, except for an encrypted backup to this
   * machine, whose plain copy stays in the private scratch folder while only the ciphertext is
   * staged beside the destination ({@link #stagesApart()}).
   */
  BackupStore copyStore(BackupStore publishing) {
    return stagesApart() ? new LocalFolderStore(ReadableBackup.scratchFolder()) : publishing;
  }

  /** Whether the copy and what is published from it are staged in two places (see {@link #copyStore}). */
  boolean stagesApart() {
    return encryption.encrypts() && remote == null && toFiles();
  }

  /** The name a file destination is published under. */
  String fileName() {
    return destination.fileName();
  }

  /** Where a timestamped backup {@code name} of a directory destination lands. */
  Location locationOf(String name) {
    return destination.resolve(name);
  }

  /** Checks everything about the request that can be checked before the source is opened. */
  static BackupTarget resolve(BackupRequest request) {
    checkAttachmentNames(request);
    LiveDatabaseFiles.requireDatabaseFile(request.source(), "source");
    for (Path attached : request.attachments().values()) {
      LiveDatabaseFiles.requireDatabaseFile(attached, "attached database");
    }
    // Every recipient is parsed before anything else is looked at: never a plain-text fallback.
    Encryption encryption = AgeKeys.encryption(request.recipients());
    if (request.toS3()) {
      return RemoteTarget.resolve(request, encryption);
    }
    if (request.s3().storageClass().isPresent()) {
      throw SqlbakException.usage("--s3-storage-class needs an s3:// destination",
          request.destination() == null ? "." : request.destination(), "a local file has no storage class");
    }
    Kind kind = targetKind(request);
    Compression compression = compressionOf(request, kind, kind == Kind.FILE ? destinationPath(request) : null);
    refuseEncryptionOf(request, kind, encryption);
    Path destination = null;
    if (kind == Kind.FILE || kind == Kind.DIRECTORY) {
      destination = destinationPath(request);
      if (kind == Kind.FILE) {
        destination = destination.resolveSibling(fileNameFor(request, destination.getFileName().toString(),
            compression, encryption));
      }
    }
    if (kind == Kind.FILE) {
      checkFileDestination(request, destination);
    }
    BackupTarget target = new BackupTarget(kind, compression, destination == null ? null : Location.of(destination),
        null, encryption);
    target.checkCombinations(request);
    target.checkNames(request);
    return target;
  }

  /** Refuses what this kind of destination cannot take, then the sources named twice over. */
  void checkCombinations(BackupRequest request) {
    if (request.retention() != null && kind != Kind.DIRECTORY) {
      throw SqlbakException.usage("--keep-* needs a directory destination",
          request.destination() == null ? "." : request.destination(),
          "retention prunes the timestamped backups in a folder");
    }
    if (kind == Kind.STREAM && request.schemas().size() > 1) {
      throw SqlbakException.usage("a stream holds one schema", String.join(", ", request.schemas()),
          "back up several schemas into a directory");
    }
    // After the destination's checks, which name the more precise mistake (DEST is the source).
    LiveDatabaseFiles.requireOneName(request.source(), "source");
    for (Path attached : request.attachments().values()) {
      LiveDatabaseFiles.requireOneName(attached, "attached database");
    }
  }

  /** The longest file name most filesystems take, in bytes. */
  private static final int NAME_MAX = 255;

  /**
   * Refuses, before anything is copied, names a backup and its sidecar could not be published
   * under: a series name with a control character, or a name too long for its {@code .sha256}.
   */
  void checkNames(BackupRequest request) {
    if (kind == Kind.FILE && bytes(fileName() + ".sha256") > NAME_MAX) {
      throw SqlbakException.failed("destination name too long for its .sha256 sidecar", destination,
          "use a name of at most " + (NAME_MAX - 7) + " bytes");
    }
    if (kind != Kind.DIRECTORY) {
      return;
    }
    List<Path> files = new ArrayList<>(List.of(request.source()));
    files.addAll(request.attachments().values());
    for (Path file : files) {
      String name = request.seriesName(file);
      String option = request.name() == null ? "; name its backups with --name" : "";
      if (BackupRequest.hasControlCharacter(name)) {
        throw SqlbakException.usage("backup name holds a control character", "'"
            + name.replaceAll("\\p{Cntrl}", "?") + "'", "a line break cannot go into a sidecar" + option);
      }
      if (bytes(name + "-20261124T030000Z.db" + suffix() + ".sha256") > NAME_MAX) {
        throw SqlbakException.usage("backup name too long", name.length() > 40 ? name.substring(0, 40) + "…" : name,
            "a backup's sidecar name must fit in " + NAME_MAX + " bytes" + option);
      }
    }
  }

  private static int bytes(String name) {
    return name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static void checkAttachmentNames(BackupRequest request) {
    for (Map.Entry<String, Path> a : request.attachments().entrySet()) {
      if (a.getValue().toString().isEmpty()) {
        throw SqlbakException.usage("--attach needs NAME=FILE", "'" + a.getKey() + "'",
            "for example --attach aux=aux.db");
      }
    }
    for (String name : request.attachments().keySet()) {
      if (name.isEmpty() || name.equalsIgnoreCase("main") || name.equalsIgnoreCase("temp")) {
        throw SqlbakException.usage("invalid --attach name", "'" + name + "'",
            "main and temp are taken; use another schema name");
      }
    }
    // SQLite's schema names are case-insensitive: MAIN and main are one schema.
    Set<String> seen = new LinkedHashSet<>();
    for (String schema : request.schemas()) {
      if (!seen.add(schema.toLowerCase(Locale.ROOT))) {
        throw SqlbakException.usage("schema named twice", schema, null);
      }
    }
  }

  private static Kind targetKind(BackupRequest request) {
    if (request.toMemory()) {
      return Kind.MEMORY;
    }
    if (request.toStream()) {
      return Kind.STREAM;
    }
    return Files.isDirectory(destinationPath(request)) ? Kind.DIRECTORY : Kind.FILE;
  }

  private static Path destinationPath(BackupRequest request) {
    String dest = request.destination() == null ? "." : request.destination();
    return Path.of(dest).toAbsolutePath().normalize();
  }

  /**
   * The name a file destination is published under: {@code name} with what is missing of the
   * suffixes its compression and encryption call for ({@code app.db} → {@code app.db.zst.age}).
   * A name that ends in {@code .age} promises encryption: without {@code --encrypt-to} it is refused.
   */
  static String fileNameFor(BackupRequest request, String name, Compression compression, Encryption encryption) {
    boolean ageName = name.toLowerCase(Locale.ROOT).endsWith(Compression.AGE_SUFFIX);
    if (ageName && !encryption.encrypts()) {
      throw SqlbakException.usage("the destination's .age suffix asks for encryption", request.destination(),
          "give --encrypt-to or --encrypt-to-file, or drop the suffix");
    }
    String base = ageName ? name.substring(0, name.length() - Compression.AGE_SUFFIX.length()) : name;
    if (!Compression.ofName(base).equals(compression)) {
      return base + compression.suffix() + encryption.suffix();
    }
    // The name as given, in the case it was given in (e.AGE stays e.AGE).
    return ageName ? name : name + encryption.suffix();
  }

  /** Refuses encryption where nothing is written to encrypt: {@code :memory:}. */
  private static void refuseEncryptionOf(BackupRequest request, Kind kind, Encryption encryption) {
    if (kind == Kind.MEMORY && encryption.encrypts()) {
      throw SqlbakException.usage("--encrypt-to cannot go with :memory:", request.destination(),
          ":memory: writes nothing to encrypt");
    }
  }

  /** The compression asked for, by option or by the suffix of a file destination {@code file} (else null). */
  static Compression compressionOf(BackupRequest request, Kind kind, Path file) {
    Compression byName = file != null ? Compression.ofName(file.getFileName().toString()) : Compression.NONE;
    Compression asked = request.compression();
    if (asked == null || asked == Compression.NONE) {
      return asked == null ? byName : checkNoSuffix(byName, request);
    }
    if (kind == Kind.MEMORY) {
      throw SqlbakException.usage("--compress cannot go with :memory:", request.destination(),
          ":memory: writes nothing to compress");
    }
    if (byName != Compression.NONE && byName != asked) {
      throw SqlbakException.usage("--compress contradicts the destination's suffix", request.destination(),
          "drop the suffix or the option");
    }
    return asked;
  }

  private static Compression checkNoSuffix(Compression byName, BackupRequest request) {
    if (byName != Compression.NONE) {
      throw SqlbakException.usage("--compress none contradicts the destination's suffix",
          request.destination(), "drop the suffix or the option");
    }
    return Compression.NONE;
  }

  private static void checkFileDestination(BackupRequest request, Path dest) {
    if (request.schemas().size() > 1) {
      throw SqlbakException.failed("several schemas need a directory destination", dest,
          "name an existing directory; each schema gets its own timestamped file there");
    }
    String raw = request.destination();
    if (raw != null && raw.endsWith("/")) {
      // "out/" names a folder; quietly creating a file called "out" would surprise everyone.
      throw SqlbakException.failed("destination folder does not exist", dest, "create it first");
    }
    Path parent = dest.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw SqlbakException.failed("destination folder does not exist", parent, "create it first");
    }
    List<Path> sources = new ArrayList<>(request.attachments().values());
    sources.add(request.source());
    for (Path s : sources) {
      refuseOwnFiles(s, dest);
    }
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      if (!request.force()) {
        throw SqlbakException.failed("destination exists", dest, "use --force to replace it");
      }
      if (!Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dest)) {
        // --force replaces backups, not device nodes, FIFOs or sockets.
        throw SqlbakException.failed("destination is not a regular file", dest,
            "sqlbak replaces only files and symlinks");
      }
    }
  }

  /**
   * Refuses {@code dest} when it is, through any path or symlink, {@code database} or one of its
   * side files: replacing a live -wal or -journal loses committed data, whatever --force says.
   */
  private static void refuseOwnFiles(Path database, Path dest) {
    LiveDatabaseFiles.ownFileKind(database, dest).ifPresent(kind -> {
      if (kind.isEmpty()) {
        throw SqlbakException.failed("destination is the source itself", dest, "a backup must go to another file");
      }
      throw SqlbakException.failed("destination is the source's " + kind.substring(1) + " file", dest,
          "SQLite keeps committed data there; a backup must go to another file");
    });
  }
}
