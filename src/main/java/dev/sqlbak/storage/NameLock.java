package dev.sqlbak.storage;

/** A held lock on publishing one name in a store; closing releases it and never fails. */
public interface NameLock extends AutoCloseable {
  @Override
  void close();
}
