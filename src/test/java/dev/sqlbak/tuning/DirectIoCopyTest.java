package dev.sqlbak.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sqlbak.TestCommands;
import dev.sqlbak.TestDatabases;
import dev.sqlbak.storage.AtomicDestination;
import dev.sqlbak.storage.DataMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The O_DIRECT copy of a finished backup on real files: every byte, its hash, and its refusals. */
class DirectIoCopyTest {
  @TempDir Path dir;

  /** Sizes around the block and chunk boundaries, where padding and the last short chunk go wrong. */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 4095, 4096, 4097, DirectIoCopy.CHUNK, 3 * DirectIoCopy.CHUNK + 12_345})
  void copiesEveryByteAndReturnsTheirSha256(int size) throws Exception {
    Path from = dir.resolve("from");
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    Files.write(from, content);
    Path to = dir.resolve("to");
    DirectIoCopy copy = DirectIoCopy.create(to, DataMode.OWNER_ONLY);
    assumeTrue(copy != null, "the filesystem of " + dir + " refuses O_DIRECT");

    String sha256;
    try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(from)) {
      sha256 = copy.copyFrom(in);
    }

    assertEquals(to, copy.file());
    assertArrayEquals(content, Files.readAllBytes(to));
    assertEquals(TestDatabases.sha256(from), sha256);
  }

  @Test
  void opensBesideASmallCopyAndRefusesWithoutLeavingAFileWhereTwoCopiesDoNotFit() throws Exception {
    assumeTrue(PageCacheRoom.holdsUnwritten(1 << 20), "this machine's writeback settings cannot be read");
    Path small = Files.createDirectory(dir.resolve("small"));
    Path roomy = dir.resolve("roomy.direct");
    try (DirectIoCopy copy = DirectIoCopy.open(roomy, 1 << 20, DataMode.OWNER_ONLY)) {
      assumeTrue(Files.exists(roomy), "the filesystem of " + dir + " refuses O_DIRECT");
      assertNotNull(copy);
    }
    // 2 MiB cannot hold a copy of 1 MiB, its O_DIRECT twin and the spare room beside them; and a
    // tmpfs needs no O_DIRECT at all. Either way the answer is no, and no file is created.
    assumeTrue(TestCommands.succeeds("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString()),
        "needs root to mount a 2 MiB tmpfs (mount -t tmpfs); not available here");
    try {
      assertNull(DirectIoCopy.open(small.resolve("x.direct"), 1 << 20, DataMode.OWNER_ONLY));
      assertFalse(Files.exists(small.resolve("x.direct")));
    } finally {
      TestCommands.succeeds("umount", small.toString());
    }
    assertNull(DirectIoCopy.open(dir.resolve("huge.direct"), Files.getFileStore(dir).getUsableSpace(), DataMode.OWNER_ONLY));
    assertFalse(Files.exists(dir.resolve("huge.direct")));
  }

  /** A direct buffer that happens to start on a block boundary must still give chunks of CHUNK bytes. */
  @ParameterizedTest
  @ValueSource(ints = {0, 512, 4095})
  void aBufferThatStartsOnABoundaryStillGivesAChunkOfChunkBytes(int offBoundary) {
    int alignment = 4096;
    java.nio.ByteBuffer big = java.nio.ByteBuffer.allocateDirect(DirectIoCopy.CHUNK + 3 * alignment);
    int toBoundary = (alignment - big.alignmentOffset(0, alignment)) % alignment;
    java.nio.ByteBuffer raw = big.slice(toBoundary + offBoundary, DirectIoCopy.CHUNK + alignment);

    java.nio.ByteBuffer chunk = DirectIoCopy.alignedChunk(raw, alignment);

    assertEquals(DirectIoCopy.CHUNK, chunk.capacity());
    assertEquals(0, chunk.alignmentOffset(0, alignment));
  }

  @Test
  void aFullDiskIsReportedAsNoSpace() throws Exception {
    Path small = Files.createDirectory(dir.resolve("small"));
    assumeTrue(TestCommands.succeeds("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString()),
        "needs root to mount a 2 MiB tmpfs (mount -t tmpfs); not available here");
    try {
      Path from = dir.resolve("from");
      Files.write(from, new byte[5 << 20]);
      DirectIoCopy copy = DirectIoCopy.create(small.resolve("x.direct"), DataMode.OWNER_ONLY);
      assumeTrue(copy != null, "this kernel's tmpfs refuses O_DIRECT");

      IOException e;
      try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(from)) {
        e = assertThrows(IOException.class, () -> copy.copyFrom(in));
      }

      assertTrue(AtomicDestination.isNoSpace(e), e.toString());
    } finally {
      TestCommands.succeeds("umount", small.toString());
    }
  }
}
