package dev.sqlbak.engine;

/** Receives page progress of a copy; the engine's only way to tell a user how far it got. */
public interface ProgressListener {
  /** A listener that ignores every event. */
  ProgressListener NONE = (schema, copied, total) -> {};

  /**
   * Called after each backup step with the pages copied so far of the snapshot's total. Calls come
   * from the thread running the copy; implementations must return quickly and must not throw.
   */
  void copied(String schema, long copiedPages, long totalPages);

  /** Called once a schema's copy is complete, before it is checked. */
  default void copyFinished(String schema, long totalPages) {}
}
