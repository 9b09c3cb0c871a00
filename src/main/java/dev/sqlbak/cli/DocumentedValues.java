package dev.sqlbak.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Option values as the reference documents them, lower case, for bash completion: picocli would
 * otherwise offer the enum constants (AUTO, NONE), and values no user may type.
 */
final class DocumentedValues {
  private DocumentedValues() {}

  /** {@code --progress}. */
  static final class Progress extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Progress() {
      super(List.of("auto", "bar", "plain", "none"));
    }
  }

  /** {@code backup --check}. */
  static final class BackupCheck extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    BackupCheck() {
      super(List.of("quick", "full", "none"));
    }
  }

  /** {@code verify --check}. */
  static final class VerifyCheck extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    VerifyCheck() {
      super(List.of("full", "quick", "none"));
    }
  }

  /** {@code --compress}. */
  static final class Compress extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Compress() {
      super(List.of("gzip", "zstd"));
    }
  }
}
