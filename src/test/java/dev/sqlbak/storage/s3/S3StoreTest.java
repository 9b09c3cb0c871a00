package dev.sqlbak.storage.s3;

import dev.sqlbak.storage.BackupStore;
import dev.sqlbak.storage.BackupStoreContract;
import dev.sqlbak.storage.S3Location;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link BackupStore} contract for {@link S3Store}, against S3Proxy on loopback; each test gets a prefix of its own. */
class S3StoreTest extends BackupStoreContract {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static LocalS3Server server;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalS3Server.start();
    server.createBucket("contract");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected BackupStore newStore(Path dir, Path scratch) {
    S3Location prefix = new S3Location("contract", "run-" + PREFIXES.incrementAndGet() + "/");
    return new S3Store(server.client(), prefix, server.options(), server.endpoint().toString(), scratch);
  }
}
