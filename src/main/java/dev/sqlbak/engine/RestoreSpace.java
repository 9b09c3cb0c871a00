package dev.sqlbak.engine;

import dev.sqlbak.payload.Compression;
import dev.sqlbak.payload.ReadableBackup;
import dev.sqlbak.source.LiveDatabaseFiles;
import dev.sqlbak.source.RealPath;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free-space check a restore makes before it writes anything: it estimates what the restore
 * will add on each filesystem it writes to, and refuses, with the figures, where that does not fit.
 *
 * <p>The estimate is meant to be a close lower bound of what SQLite really writes (checked against
 * it in {@code RestoreSpaceTest}): a restore it lets through may still fail on a disk that fills up
 * meanwhile, and the restore's own rollback handles that; where a figure cannot be known (a
 * damaged TARGET, a filesystem that will not say), nothing is refused.
 */
final class RestoreSpace {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreSpace.class);

  /**
   * Added once per filesystem for what the estimate leaves out: the safety copy's lock file and the
   * one block its check may journal, directory entries, a journal header written again after a
   * cache spill. Small on purpose: a larger one would refuse restores that fit.
   */
  static final long MARGIN = 32 * 1024;
  /** tmpfs and most disk filesystems allocate whole 4 KiB blocks to each file. */
  static final long BLOCK = 4096;
  /** A rollback journal's header takes one sector; SQLite assumes at most 4096 bytes. */
  static final long JOURNAL_HEADER = 4096;
  /** Each journaled page carries its page number and a checksum. */
  static final long JOURNAL_PAGE_EXTRA = 8;
  /** The WAL file's own header. */
  static final long WAL_HEADER = 32;
  /** Each WAL frame carries a 24-byte frame header before the page. */
  static final long WAL_FRAME_EXTRA = 24;
  /** The WAL index (-shm) a WAL-mode TARGET gets when it is opened, if it has none yet. */
  static final long SHM = 32 * 1024;

  /** What one restore adds in one folder's filesystem, and for what (named in the refusal). */
  record Need(Path folder, long bytes, Purpose purpose) {}

  /** Why space is needed where: decides which path and hint the refusal names. */
  enum Purpose {
    /** Beside TARGET: the safety copy, the journal or WAL, the grown file, or the new file. */
    TARGET,
    /** In the private scratch folder ({@code $TMPDIR}): a copy of the backup saying rollback-journal. */
    SCRATCH
  }

  private RestoreSpace() {}

  /** Refuses a restore into a TARGET that does not exist yet when its folder has no room for the backup. */
  static void requireRoomForNewFile(Path database, Path target) {
    long bytes;
    try {
      bytes = Files.size(database);
    } catch (IOException e) {
      return; // the restore itself will say what is wrong with the backup
    }
    require(List.of(new Need(target.getParent(), blocks(bytes), Purpose.TARGET)), target);
  }

  /**
   * Refuses a restore into the existing {@code target} (after any hot journal was rolled back)
   * when the safety copy, the journal or WAL and the file's growth do not fit.
   */
  static void requireRoomInPlace(ReadableBackup opened, Path target, RestoreRequest request) {
    require(inPlace(opened, target, request), target);
  }

  /** The needs of a restore into an existing TARGET; empty where they cannot be known. */
  static List<Need> inPlace(ReadableBackup opened, Path target, RestoreRequest request) {
    Path real = RealPath.of(target);
    Header old;
    Header backup;
    try {
      old = Header.of(target);
      backup = Header.of(opened.database());
    } catch (IOException e) {
      LOG.debug("cannot read the sizes for the free-space check of {}", target, e);
      return List.of();
    }
    if ((old.bytes() > 0 && old.pageSize().isEmpty()) || backup.pageSize().isEmpty()) {
      return List.of(); // a damaged TARGET: how SQLite would write into it cannot be told
    }
    List<Need> needs = new ArrayList<>();
    if (request.safetyCopy() && old.bytes() > 0) {
      needs.add(new Need(target.getParent(), blocks(old.bytes()), Purpose.TARGET));
    }
    long growth = blocks(Math.max(0, backup.bytes() - old.bytes()));
    if (old.wal()) {
      long wal = walBytes(backup.bytes(), backup.pageSize().getAsInt()) - sizeOf(real, "-wal");
      long shm = Files.exists(side(real, "-shm"), LinkOption.NOFOLLOW_LINKS) ? 0 : SHM;
      // The checkpoint that follows writes every page into the file, which then grows.
      needs.add(new Need(real.getParent(), blocks(Math.max(0, wal)) + shm + growth, Purpose.TARGET));
    } else {
      long journal = journalBytes(old.bytes(), old.pageSize().orElse(backup.pageSize().getAsInt()), backup.bytes())
          - sizeOf(real, "-journal");
      needs.add(new Need(real.getParent(), blocks(Math.max(0, journal)) + growth, Purpose.TARGET));
      if (opened.compression() == Compression.NONE && backup.wal()) {
        // ReadableBackup.databaseSayingRollbackJournal copies such a backup to the scratch folder.
        needs.add(new Need(Path.of(System.getProperty("java.io.tmpdir")), blocks(backup.bytes()), Purpose.SCRATCH));
      }
    }
    return needs;
  }

  /**
   * What a rollback journal holds at its largest: the original of every page the copy overwrites
   * ({@code min(old, new)} bytes of the old file, in its page size, each with its page number and
   * checksum) after its header. Pages cut off by a shrinking copy are not journaled (measured with
   * SQLite 3.40 and 3.54: a 400-page TARGET shrinks to 2 pages with 100 KiB free).
   */
  static long journalBytes(long oldBytes, int oldPageSize, long newBytes) {
    long pages = Math.min(oldBytes, newBytes) / oldPageSize;
    return pages == 0 ? 0 : JOURNAL_HEADER + pages * (oldPageSize + JOURNAL_PAGE_EXTRA);
  }

  /** What the WAL holds after the copy commits: its header and one frame for every page of the backup. */
  static long walBytes(long newBytes, int newPageSize) {
    return WAL_HEADER + newBytes / newPageSize * (newPageSize + WAL_FRAME_EXTRA);
  }

  /** {@code bytes} rounded up to whole blocks, as the filesystem allocates them. */
  static long blocks(long bytes) {
    return (bytes + BLOCK - 1) / BLOCK * BLOCK;
  }

  /** Sums the needs per filesystem and refuses the first one that does not fit. */
  static void require(List<Need> needs, Path target) {
    Map<FileStore, List<Need>> byStore = new LinkedHashMap<>();
    for (Need need : needs) {
      if (need.bytes() <= 0) {
        continue;
      }
      try {
        byStore.computeIfAbsent(Files.getFileStore(need.folder()), s -> new ArrayList<>()).add(need);
      } catch (IOException e) {
        LOG.debug("cannot tell which filesystem {} is on; not checking its space", need.folder(), e);
      }
    }
    for (Map.Entry<FileStore, List<Need>> store : byStore.entrySet()) {
      long total = MARGIN + store.getValue().stream().mapToLong(Need::bytes).sum();
      long usable;
      try {
        if (store.getKey().getTotalSpace() <= 0) {
          continue; // a filesystem that gives no sizes (some FUSE and network ones): unknown, not full
        }
        usable = store.getKey().getUsableSpace();
      } catch (IOException e) {
        continue;
      }
      LOG.debug("restore needs about {} bytes on {} ({} usable)", total, store.getKey(), usable);
      if (total > usable) {
        throw refusal(store.getValue(), target, total, usable);
      }
    }
  }

  private static SqlbakException refusal(List<Need> needs, Path target, long total, long usable) {
    String figures = " " + figures(total, usable);
    boolean besideTarget = needs.stream().anyMatch(n -> n.purpose() == Purpose.TARGET);
    if (besideTarget) {
      return SqlbakException.failed("not enough free space to restore", target + figures,
          "nothing was written; free some space or restore elsewhere");
    }
    return SqlbakException.failed("not enough free space for the scratch copy of the backup",
        ReadableBackup.scratchFolder() + figures,
        "nothing was written; free some space there or set TMPDIR to another folder");
  }

  /**
   * The line for a compressed backup whose decompressed copy did not fit in the scratch folder
   * ({@code $TMPDIR}): its size is known only once it is decompressed, so this is said afterwards,
   * when the partial copy is gone and the figure is what the folder has free.
   */
  static SqlbakException noRoomToDecompress(java.io.IOException cause) {
    Path scratch = ReadableBackup.scratchFolder();
    String free;
    try {
      free = size(Files.getFileStore(scratch).getUsableSpace());
    } catch (IOException e) {
      free = "?";
    }
    return SqlbakException.failed("not enough free space for the scratch copy of the backup",
        scratch + " (the decrypted or decompressed backup needs more than the " + free + " free)",
        "the target was not touched; free some space there or set TMPDIR to another folder", cause);
  }

  /** {@code (needs about X, Y free)}, in KiB where one decimal of MiB would make X and Y look equal. */
  static String figures(long total, long usable) {
    String need = size(total);
    String free = size(usable);
    if (need.equals(free)) {
      need = (total + 1023) / 1024 + " KiB";
      free = usable / 1024 + " KiB";
    }
    return "(needs about " + need + ", " + free + " free)";
  }

  /** A size for people: MiB with one decimal, KiB below one MiB. */
  static String size(long bytes) {
    if (bytes < 1024 * 1024) {
      return (bytes + 1023) / 1024 + " KiB";
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  private static Path side(Path real, String suffix) {
    return real.resolveSibling(real.getFileName() + suffix);
  }

  private static long sizeOf(Path real, String suffix) {
    try {
      return Files.size(side(real, suffix));
    } catch (IOException e) {
      return 0;
    }
  }

  /** A database file's size and what its header says, read as it is now. */
  private record Header(long bytes, OptionalInt pageSize, boolean wal) {
    static Header of(Path file) throws IOException {
      try (LiveDatabaseFiles files = LiveDatabaseFiles.openAsIs(file)) {
        return new Header(files.size(), files.headerPageSize(), files.headerSaysWal());
      }
    }
  }
}
