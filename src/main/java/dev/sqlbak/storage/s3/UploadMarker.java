package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.BackupStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The empty object a run puts beside a multipart upload it starts, naming the host and process
 * that own it, so that a later sweep can tell an upload of a dead run (abort it: its parts cost
 * money) from one still in progress. S3 keeps no owner of an upload; this is the owner.
 *
 * <p>Name: {@code .sqlbak-upload-<host>-<pid>-<process start millis>-<16 hex of sha256(upload id)>};
 * the host may contain dashes, so the name is read from the right.
 *
 * @param host the host the run ran on
 * @param pid its process id
 * @param processStartMillis when that process started, telling it from a later process with the same pid
 * @param uploadHash the first 16 hex digits of the SHA-256 of the upload id
 */
record UploadMarker(String host, long pid, long processStartMillis, String uploadHash) {
  /** What every marker's name starts with. */
  static final String PREFIX = BackupStore.TEMPORARY_PREFIX + "upload-";
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(.+)-(\\d+)-(\\d+)-([0-9a-f]{16})");
  /** Start instants of one process read twice may differ by rounding; a reused pid starts far later. */
  private static final long START_TOLERANCE_MILLIS = 1000;
  private static final String THIS_HOST = readHostName();

  /** The marker of this process for the upload {@code uploadId}. */
  static UploadMarker ofThisProcess(String uploadId) {
    ProcessHandle self = ProcessHandle.current();
    long start = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    return new UploadMarker(THIS_HOST, self.pid(), start, hashOf(uploadId));
  }

  /** The marker {@code name} denotes, if it is one. */
  static Optional<UploadMarker> parse(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new UploadMarker(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
          m.group(4)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The marker's object name (relative to the store's prefix). */
  String name() {
    return PREFIX + host + "-" + pid + "-" + processStartMillis + "-" + uploadHash;
  }

  /** Whether the run that put this marker ran on this host, where its process can be looked up. */
  boolean ofThisHost() {
    return host.equals(THIS_HOST);
  }

  /**
   * Whether the process that put this marker (on this host) is still running: its pid is alive and
   * started when the marker says. Unknown start instants count as alive.
   */
  boolean processAlive() {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return false;
    }
    Optional<Instant> start = process.get().info().startInstant();
    return start.isEmpty() || processStartMillis == 0
        || Math.abs(start.get().toEpochMilli() - processStartMillis) < START_TOLERANCE_MILLIS;
  }

  /** The first 16 hex digits of the SHA-256 of {@code uploadId}: upload ids are long and may hold any character. */
  static String hashOf(String uploadId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(uploadId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * This host's name, read from the kernel rather than resolved: a lookup could reach a DNS
   * server, and only the name matters. Characters outside {@code [A-Za-z0-9._]} become '_'.
   */
  private static String readHostName() {
    String name = null;
    try {
      name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (IOException | RuntimeException e) {
      name = System.getenv("HOSTNAME") != null ? System.getenv("HOSTNAME") : System.getenv("COMPUTERNAME");
    }
    if (name == null || name.isBlank()) {
      name = "unknown-host";
    }
    return name.replaceAll("[^A-Za-z0-9._]", "_");
  }
}
