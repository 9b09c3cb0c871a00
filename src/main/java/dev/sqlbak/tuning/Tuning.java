package dev.sqlbak.tuning;

/**
 * The one seam for machine-specific tuning: what sqlbak does beyond plain correct copying to spare
 * the disk and CPU that a live database's other users share. Every item is measured to help in the
 * benchmark (src/docs/benchmark.md), and none is needed for correctness: the whole test suite also
 * runs with all of it off ({@code SQLBAK_TUNING=off}, the plain-tuning pass of the build).
 *
 * @param directIo publish a copy SQLite wrote through an O_DIRECT twin, so the copy's writeback
 *     never reaches the disk beside a WAL writer's fsyncs (see {@link DirectIoCopy})
 * @param writeBehind flush a copy while it is written, so the final fsync finds little left (see
 *     {@link WriteBehind})
 * @param lowersPriority lower the process's CPU priority once no writer waits for the backup (see
 *     {@link BackgroundPriority})
 */
public record Tuning(boolean directIo, boolean writeBehind, boolean lowersPriority) {
  /** The environment variable that turns all tuning off when set to {@code off}. */
  public static final String VARIABLE = "SQLBAK_TUNING";

  /** All tuning on, unless {@value #VARIABLE} is {@code off}. */
  public static Tuning fromEnvironment() {
    return "off".equalsIgnoreCase(System.getenv(VARIABLE)) ? plain() : new Tuning(true, true, true);
  }

  /** No tuning: every copy through the page cache, flushed once before it is published, at normal priority. */
  public static Tuning plain() {
    return new Tuning(false, false, false);
  }

  /** This tuning without the lowered priority: for work that others wait for, such as a restore. */
  public Tuning keepingPriority() {
    return new Tuning(directIo, writeBehind, false);
  }

  /** This tuning without O_DIRECT: for tests of the page-cache path on machines that allow O_DIRECT. */
  public Tuning throughPageCache() {
    return new Tuning(false, writeBehind, lowersPriority);
  }
}
