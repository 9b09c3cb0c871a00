package dev.sqlbak.payload;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.sqlbak.sqlite.NativeLibraryCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** How a backup file's bytes are stored: plain, gzip (the JDK's) or zstd (zstd-jni). */
public enum Compression {
  NONE("", new byte[0]),
  GZIP(".gz", new byte[] {0x1f, (byte) 0x8b}),
  ZSTD(".zst", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});

  /** How many first bytes {@link #ofHead} needs to tell every compression apart. */
  public static final int HEAD_BYTES = 4;

  private static final int BUFFER = 1 << 16;
  /** zstd level 3 (its default): most of the ratio at a fraction of the time of higher levels. */
  private static final int ZSTD_LEVEL = 3;

  private final String suffix;
  private final byte[] magic;

  Compression(String suffix, byte[] magic) {
    this.suffix = suffix;
    this.magic = magic;
  }

  /** The file-name suffix: {@code .gz}, {@code .zst}, or empty. */
  public String suffix() {
    return suffix;
  }

  /** The suffix of an encrypted backup, which follows the compression's ({@code app.db.zst.age}). */
  public static final String AGE_SUFFIX = ".age";

  /** The compression a file name asks for by its suffix, looking past an {@code .age} suffix. */
  public static Compression ofName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(AGE_SUFFIX)) {
      n = n.substring(0, n.length() - AGE_SUFFIX.length());
    }
    if (n.endsWith(GZIP.suffix)) {
      return GZIP;
    }
    return n.endsWith(ZSTD.suffix) ? ZSTD : NONE;
  }

  /** The compression a {@code --compress} value names: gzip, zstd (or gz, zst), or none. */
  public static Compression ofOption(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "gzip":
      case "gz":
        return GZIP;
      case "zstd":
      case "zst":
        return ZSTD;
      case "none":
        return NONE;
      default:
        throw new IllegalArgumentException("'" + value + "' is not a compression (use gzip or zstd)");
    }
  }

  /**
   * Points zstd-jni at a copy of its native library in sqlbak's cache folder before its classes
   * load (see {@link NativeLibraryCache}); without one it extracts its own into the temp folder.
   */
  private static synchronized void useCachedZstdLibrary() {
    if (System.getProperty("ZstdNativePath") != null) {
      return; // chosen by the user, or done already
    }
    String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.startsWith("linux")) {
      return; // zstd-jni names its other platforms' folders differently; it extracts its own there
    }
    String version = com.github.luben.zstd.util.ZstdVersion.VERSION;
    String resource = "/linux/" + arch + "/libzstd-jni-" + version + ".so";
    Path lib = NativeLibraryCache.cached(ZstdOutputStream.class, resource, "zstd-jni-" + version + "-linux-" + arch);
    if (lib != null) {
      System.setProperty("ZstdNativePath", lib.toString());
    }
  }

  /** The compression a file's first bytes show, whatever its name says. */
  public static Compression sniff(Path file) throws IOException {
    byte[] head = new byte[HEAD_BYTES];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    return ofHead(head, n);
  }

  /** The compression the first {@code n} bytes of {@code head} show (a stream's, a file's). */
  public static Compression ofHead(byte[] head, int n) {
    for (Compression c : new Compression[] {GZIP, ZSTD}) {
      if (n >= c.magic.length && Arrays.equals(head, 0, c.magic.length, c.magic, 0, c.magic.length)) {
        return c;
      }
    }
    return NONE;
  }

  /** Wraps {@code out} so that what is written to it is stored compressed. */
  public OutputStream compressing(OutputStream out) throws IOException {
    switch (this) {
      case GZIP:
        return new GZIPOutputStream(out, BUFFER);
      case ZSTD:
        useCachedZstdLibrary();
        return new ZstdOutputStream(out, ZSTD_LEVEL);
      default:
        return out;
    }
  }

  /** Wraps {@code in} so that reading from it gives the uncompressed bytes. */
  public InputStream decompressing(InputStream in) throws IOException {
    switch (this) {
      case GZIP:
        return new GZIPInputStream(in, BUFFER);
      case ZSTD:
        useCachedZstdLibrary();
        return new ZstdInputStream(in);
      default:
        return in;
    }
  }
}
