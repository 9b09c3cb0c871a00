package dev.sqlbak.copy;

import dev.sqlbak.sqlite.SqliteDatabase;
import java.util.List;

/** The one rule that picks how a schema is copied. */
final class CopyRule {
  private CopyRule() {}

  /**
   * Chosen tables are copied table by table, a compact copy with VACUUM INTO; the pages of a
   * schema whose file is its snapshot byte for byte into a file, the rest through the backup API.
   */
  static CopyMethod choose(SqliteDatabase db, StagedCopy stage, CopyOrder order, List<String> tables) {
    switch (order.kind()) {
      case TABLES:
        return new TableCopy(tables);
      case COMPACT:
        return new VacuumCopy();
      default:
        if (stage.inMemory()) {
          return new PageCopy();
        }
        return ImageCopy.ifSnapshotIsTheFile(db, stage).orElseGet(PageCopy::new);
    }
  }
}
