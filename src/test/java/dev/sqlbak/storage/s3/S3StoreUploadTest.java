package dev.sqlbak.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlbak.storage.BackupStore.Publish;
import dev.sqlbak.storage.BackupStore.Staging;
import dev.sqlbak.storage.BackupStore.StoredFile;
import dev.sqlbak.storage.DataMode;
import dev.sqlbak.storage.RemoteFailure;
import dev.sqlbak.storage.S3Location;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/** What only an S3 store does: multipart uploads, the store's own refusal of taken names, aborting what failed. */
class S3StoreUploadTest {
  private static final String BUCKET = "uploads";
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  /** Small enough that a 12 MiB file goes up in three parts. */
  private static final UploadSizes SMALL_PARTS = new UploadSizes(5 * UploadSizes.MIB, 5 * UploadSizes.MIB);
  private static LocalS3Server server;

  @TempDir Path scratch;
  private S3Prefix prefix;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalS3Server.start();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void newPrefix() {
    prefix = new S3Prefix(server.client(), new S3Location(BUCKET, "p" + PREFIXES.incrementAndGet() + "/"),
        server.endpoint().toString());
  }

  private S3Store store(UploadSizes sizes) {
    return new S3Store(prefix, server.options(), scratch, sizes);
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static void publish(S3Store store, byte[] content, String name, Publish mode) throws Exception {
    try (Staging staging = store.stage(DataMode.OWNER_ONLY)) {
      Files.write(staging.file(), content);
      store.publish(staging, staging.file(), name, mode);
      assertFalse(Files.exists(staging.file()), "the staged file is used up");
    }
  }

  /** Every key under the prefix, sqlbak's hidden ones included. */
  private List<String> rawKeys() {
    return server.client().listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(prefix.location().key())).contents()
        .stream().map(S3Object::key).toList();
  }

  private List<String> multipartUploads() {
    return server.client().listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix.location().key())).uploads()
        .stream().map(u -> u.key()).toList();
  }

  @Test
  void aFileOverTheSinglePutLimitGoesUpInPartsAndReadsBackByteForByte() throws Exception {
    S3Store store = store(SMALL_PARTS);
    byte[] content = randomBytes(12 * (1 << 20) + 12345);
    publish(store, content, "big.db", Publish.CREATE_NEW);
    try (InputStream in = store.open("big.db")) {
      assertArrayEquals(content, in.readAllBytes());
    }
    assertEquals(List.of(new StoredFile("big.db", content.length)), store.list());
    String etag = server.client().headObject(r -> r.bucket(BUCKET).key(prefix.key("big.db"))).eTag();
    assertTrue(etag.endsWith("-3\""), "three parts: " + etag);
    assertEquals(List.of(prefix.key("big.db")), rawKeys(), "no upload marker is left");
    assertEquals(List.of(), multipartUploads());
  }

  @Test
  void theStoreItselfRefusesATakenNameForOnePutAndForAMultipartUpload() throws Exception {
    S3Store store = store(SMALL_PARTS);
    publish(store, "old".getBytes(StandardCharsets.UTF_8), "app.db", Publish.CREATE_NEW);
    // ObjectUploads directly: no HEAD check first, so If-None-Match is what refuses.
    ObjectUploads uploads = new ObjectUploads(prefix, java.util.Optional.empty(), SMALL_PARTS);
    Path small = Files.write(scratch.resolve("small"), randomBytes(1000));
    Path big = Files.write(scratch.resolve("big"), randomBytes(11 << 20));
    assertThrows(FileAlreadyExistsException.class, () -> uploads.upload(small, "app.db", Publish.CREATE_NEW));
    assertThrows(FileAlreadyExistsException.class, () -> uploads.upload(big, "app.db", Publish.CREATE_NEW));
    try (InputStream in = store.open("app.db")) {
      assertEquals("old", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(List.of(prefix.key("app.db")), rawKeys());
    assertEquals(List.of(), multipartUploads(), "the refused upload was aborted");
    Staging staging = store.stage(DataMode.OWNER_ONLY);
    Files.write(staging.file(), randomBytes(100));
    FileAlreadyExistsException taken = assertThrows(FileAlreadyExistsException.class,
        () -> store.publish(staging, staging.file(), "app.db", Publish.CREATE_NEW));
    assertEquals("s3://uploads/" + prefix.location().key() + "app.db", taken.getFile());
    staging.close();
  }

  @Test
  void aFailedMultipartUploadLeavesNoObjectNoUploadAndNoMarker() throws Exception {
    // Parts under 5 MiB that are not the last: S3 refuses the upload after its parts were sent.
    S3Store store = store(new UploadSizes(1 << 20, 1 << 20));
    RemoteFailure refused = assertThrows(RemoteFailure.class,
        () -> publish(store, randomBytes(3 << 20), "refused.db", Publish.CREATE_NEW));
    assertTrue(refused.what().contains("EntityTooSmall"), refused.getMessage());
    assertEquals(List.of(), rawKeys());
    assertEquals(List.of(), multipartUploads());
    assertFalse(store.exists("refused.db"));
  }

  @Test
  void aMultipartUploadReplacesAnObject() throws Exception {
    S3Store store = store(SMALL_PARTS);
    publish(store, "old".getBytes(StandardCharsets.UTF_8), "app.db", Publish.CREATE_NEW);
    byte[] content = randomBytes(6 << 20);
    publish(store, content, "app.db", Publish.REPLACE);
    try (InputStream in = store.open("app.db")) {
      assertArrayEquals(content, in.readAllBytes());
    }
  }

  @Test
  void listingShowsOnlyDirectChildrenThatAreNotTemporary() throws Exception {
    S3Store store = store(SMALL_PARTS);
    String base = prefix.location().key();
    for (String key : new String[] {base, base + "a.db", base + "sub/b.db", base + ".sqlbak-upload-x-1-2-0123456789abcdef",
        base + "c.db"}) {
      server.client().putObject(r -> r.bucket(BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
    }
    assertEquals(List.of(new StoredFile("a.db", 1), new StoredFile("c.db", 1)), store.list());
    assertFalse(store.delete("sub"));
  }

  @Test
  void partSizesGrowSoThatNoFileNeedsMoreThanTenThousandParts() {
    UploadSizes sizes = UploadSizes.DEFAULT;
    assertEquals(8 * UploadSizes.MIB, sizes.partSize(17 * UploadSizes.MIB));
    long huge = 200L << 30;
    long part = sizes.partSize(huge);
    assertTrue((huge + part - 1) / part <= UploadSizes.MAX_PARTS, "parts: " + part);
    assertEquals(0, part % UploadSizes.MIB);
    assertTrue(sizes.singlePut(16 * UploadSizes.MIB));
    assertFalse(sizes.singlePut(16 * UploadSizes.MIB + 1));
  }
}
