package dev.sqlbak.tuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a file can be written into the page cache and deleted a few seconds later without the
 * kernel writing any of it back, read from Linux's memory figures and writeback settings.
 *
 * <p>Linux starts background writeback when dirty pages pass {@code vm.dirty_background_bytes},
 * or {@code vm.dirty_background_ratio} percent of the memory it could free (about MemAvailable);
 * under cgroup v2 a memory limit makes a smaller domain of its own. Half of what is left below that
 * line is allowed, so that the database's own writers and other programs keep room. Anywhere these
 * figures cannot be read (not Linux), nothing is allowed and the copy is written the old way.
 */
public final class PageCacheRoom {
  private static final Logger LOG = LoggerFactory.getLogger(PageCacheRoom.class);

  private PageCacheRoom() {}

  /** Whether {@code bytes} more dirty pages stay clear of background writeback on this machine. */
  public static boolean holdsUnwritten(long bytes) {
    OptionalLong room = room(Path.of("/"));
    return room.isPresent() && bytes <= room.getAsLong();
  }

  /**
   * The dirty bytes allowed, read from the /proc and /sys files under {@code root} (a parameter so
   * that tests can give a made-up machine), or empty when they cannot be read.
   */
  static OptionalLong room(Path root) {
    try {
      List<String> meminfo = Files.readAllLines(root.resolve("proc/meminfo"));
      long dirty = meminfoBytes(meminfo, "Dirty") + meminfoBytes(meminfo, "Writeback");
      return OptionalLong.of(Math.max(0, (threshold(root, meminfo) - dirty) / 2));
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read the page cache's writeback settings under {}", root, e);
      return OptionalLong.empty();
    }
  }

  /** The dirty bytes at which the kernel starts background writeback, as read under {@code root}. */
  static OptionalLong threshold(Path root) {
    try {
      return OptionalLong.of(threshold(root, Files.readAllLines(root.resolve("proc/meminfo"))));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  private static long threshold(Path root, List<String> meminfo) throws IOException {
    long available = meminfoBytes(meminfo, "MemAvailable");
    long thresholdBytes = readLong(root.resolve("proc/sys/vm/dirty_background_bytes"));
    if (thresholdBytes > 0) {
      return thresholdBytes;
    }
    long ratio = readLong(root.resolve("proc/sys/vm/dirty_background_ratio"));
    OptionalLong cgroupAvailable = cgroupAvailable(root);
    if (cgroupAvailable.isPresent()) {
      available = Math.min(available, cgroupAvailable.getAsLong());
    }
    return available / 100 * ratio;
  }

  /**
   * What cgroup v2 memory limits leave this process, or empty without one: the least room under
   * the limit of its own group or of any group above it (a service's limit, or its slice's).
   */
  private static OptionalLong cgroupAvailable(Path root) throws IOException {
    Path self = root.resolve("proc/self/cgroup");
    if (!Files.isReadable(self)) {
      return OptionalLong.empty();
    }
    Path hierarchy = root.resolve("sys/fs/cgroup");
    for (String line : Files.readAllLines(self)) {
      if (!line.startsWith("0::")) {
        continue;
      }
      OptionalLong least = OptionalLong.empty();
      for (Path group = hierarchy.resolve(line.substring(3).replaceFirst("^/+", "")).normalize();
          group.startsWith(hierarchy) && !group.equals(hierarchy); group = group.getParent()) {
        Path max = group.resolve("memory.max");
        Path current = group.resolve("memory.current");
        if (!Files.isReadable(max) || !Files.isReadable(current)) {
          continue;
        }
        String limit = readShort(max);
        if (!limit.equals("max")) {
          long room = Math.max(0, Long.parseLong(limit) - readLong(current));
          least = OptionalLong.of(least.isPresent() ? Math.min(least.getAsLong(), room) : room);
        }
      }
      return least;
    }
    return OptionalLong.empty();
  }

  private static long meminfoBytes(List<String> meminfo, String field) throws IOException {
    for (String line : meminfo) {
      if (line.startsWith(field + ":")) {
        String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
        long value = Long.parseLong(parts[0]);
        return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
      }
    }
    throw new IOException("no " + field + " in meminfo");
  }

  private static long readLong(Path file) throws IOException {
    return Long.parseLong(readShort(file));
  }

  /**
   * Reads a one-line /proc or /sys file in one read: a sysctl file answers a read at any offset
   * but 0 with end-of-file, and Files.readString of a file that says it is empty reads one byte
   * first (so "10" would come back as "1").
   */
  private static String readShort(Path file) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).trim();
    }
  }
}
