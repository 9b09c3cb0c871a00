package dev.sqlbak.copy;

import dev.sqlbak.tuning.DirectIoCopy;
import dev.sqlbak.tuning.PageCacheRoom;
import dev.sqlbak.tuning.Tuning;

/** How a copy on disk reaches the disk: the tuning decisions (O_DIRECT twin, write-behind) for one copy. */
final class Flushing {
  private Flushing() {}

  /**
   * Where the copy in the stage's file is the one to publish, sets up the O_DIRECT copy it is
   * published through instead, if this machine allows it (see {@link DirectIoCopy}). Called for
   * every copy SQLite writes, and for the checked byte-for-byte copy of a WAL-mode file only (see
   * {@link ImageCopy}); other byte-for-byte copies are written and hashed in one pass.
   */
  static void prepareDirectCopy(StagedCopy stage, CopyOrder order) {
    if (order.tuning().directIo() && order.copyIsPublished() && stage.file != null) {
      stage.direct = DirectIoCopy.open(stage.file.unclaimed("direct"), stage.pageCount * stage.pageSize,
          stage.file.mode());
    }
  }

  /**
   * Whether a copy into the stage's file is flushed while it is written (write-behind tuning). Not
   * when it stays in memory until deleted unwritten: when an O_DIRECT copy of it will be published,
   * or when it is never published (compressed, streamed) and fits below the kernel's writeback
   * line. Then its writeback never competes with the source's writers for the disk.
   */
  static boolean whileCopying(StagedCopy stage, CopyOrder order) {
    Tuning tuning = order.tuning();
    if (!tuning.writeBehind() || stage.direct != null) {
      return false;
    }
    return !(tuning.directIo() && !order.copyIsPublished()
        && PageCacheRoom.holdsUnwritten(stage.pageCount * stage.pageSize));
  }
}
