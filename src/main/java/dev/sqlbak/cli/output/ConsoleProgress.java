package dev.sqlbak.cli.output;

import dev.sqlbak.engine.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/** Shows page progress on stderr as a redrawn bar or as one plain line per step. */
public final class ConsoleProgress implements ProgressListener {
  /** How progress is drawn. */
  public enum Style { BAR, PLAIN, NONE }

  private static final int BAR_WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final Style style;
  private final boolean prefixSchema;
  private long lastCopied = -1;
  private long lastDraw;

  public ConsoleProgress(PrintWriter err, Style style, boolean prefixSchema) {
    this.err = err;
    this.style = style;
    this.prefixSchema = prefixSchema;
  }

  @Override
  public void copied(String schema, long copiedPages, long totalPages) {
    if (style == Style.PLAIN) {
      if (copiedPages != lastCopied) {
        err.println(prefix(schema) + "copied " + copiedPages + " of " + totalPages + " pages");
        err.flush();
      }
    } else if (style == Style.BAR) {
      long now = System.nanoTime();
      if (copiedPages == totalPages || now - lastDraw >= REDRAW_NANOS) {
        drawBar(schema, copiedPages, totalPages);
        lastDraw = now;
      }
    }
    lastCopied = copiedPages;
  }

  @Override
  public void copyFinished(String schema, long totalPages) {
    if (style == Style.BAR) {
      drawBar(schema, totalPages, totalPages);
      err.println();
      err.flush();
    }
    lastCopied = -1;
  }

  private void drawBar(String schema, long copied, long total) {
    double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) copied / total);
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    String bar = "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled);
    err.print(String.format(Locale.ROOT, "\r%s[%s] %3d%%  %d/%d pages",
        prefix(schema), bar, Math.round(fraction * 100), copied, total));
    err.flush();
  }

  private String prefix(String schema) {
    return prefixSchema ? schema + ": " : "";
  }
}
