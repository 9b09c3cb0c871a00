package dev.sqlbak.payload;

import dev.sqlbak.copy.StagedCopy;
import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one pass that makes what a backup publishes from its checked copy: compressed if asked, then
 * encrypted if asked, hashed as written, and (tuning allowing, for a plain copy) written with
 * O_DIRECT.
 */
public final class PayloadPass {
  private static final Logger LOG = LoggerFactory.getLogger(PayloadPass.class);

  private PayloadPass() {}

  /**
   * Compresses and encrypts the staged copy if asked, and hashes the bytes that will be published,
   * reading the copy through {@code copyBytes}, which it never closes. What is made is staged in
   * {@link StagedCopy#output()}.
   */
  public static Payload prepare(StagedCopy stage, Compression compression, Encryption encryption,
      FileChannel copyBytes) {
    Path copy = stage.staging().file();
    try {
      if (encryption.encrypts() || compression != Compression.NONE) {
        // Never the copy itself: an encrypted backup publishes only what was encrypted.
        Path made = stage.output().newFile("db" + compression.suffix() + encryption.suffix());
        Payload payload;
        try (OutputStream out = Files.newOutputStream(made)) {
          payload = writeHashed(unclosable(copyBytes), compression, encryption, out, made);
        }
        // The plain copy is no longer needed; freeing its space now helps a nearly full disk.
        Files.delete(copy);
        return payload;
      }
      if (stage.direct() != null) {
        long t0 = System.nanoTime();
        String sha256 = stage.direct().copyFrom(copyBytes);
        long t1 = System.nanoTime();
        Path direct = stage.direct().file();
        long bytes = Files.size(direct);
        // Unlinked before the kernel's writeback reaches it, the copy is never written to disk.
        Files.delete(copy);
        LOG.debug("wrote {} with O_DIRECT in {} ms, deleted the copy in {} ms", direct,
            (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        return new Payload(direct, sha256, bytes);
      }
      long bytes = Files.size(copy);
      String sha256 = stage.copiedAsImage() ? stage.hashedWhileCopied() : Sha256.of(copyBytes);
      return new Payload(copy, sha256, bytes);
    } catch (IOException e) {
      throw Failures.write("cannot write backup", stage.output().folder(), 0, Failures.reason(e), e);
    }
  }

  /**
   * Sends the finished, checked {@code copy} to {@code sink}, compressed and encrypted if asked,
   * hashing what is sent.
   */
  public static Payload send(Path copy, Compression compression, Encryption encryption, OutputStream sink) {
    try {
      Payload sent = writeHashed(Files.newInputStream(copy), compression, encryption, sink, copy);
      sink.flush();
      return sent;
    } catch (IOException e) {
      throw SqlbakException.failed("cannot write the backup stream", "standard output", Failures.reason(e), e);
    }
  }

  /**
   * Writes {@code from} to {@code out} through {@code compression} and then {@code encryption} in
   * one pass, hashing the bytes as written; {@code from} is closed, {@code out} is not.
   */
  private static Payload writeHashed(InputStream from, Compression compression, Encryption encryption,
      OutputStream out, Path file) throws IOException {
    MessageDigest digest = Sha256.digest();
    CountingOutputStream counted = new CountingOutputStream(new DigestOutputStream(out, digest));
    try (InputStream in = from) {
      OutputStream encrypting = encryption.encrypting(counted);
      OutputStream compressing = compression.compressing(encrypting);
      in.transferTo(compressing);
      compressing.flush();
      // Closed only now that everything was written: closing writes the compressed stream's
      // trailer and the age file's last chunk, which would make a stream cut short by a failed
      // read look complete. The caller closes out.
      if (compressing != counted) {
        compressing.close();
      }
    }
    return new Payload(file, HexFormat.of().formatHex(digest.digest()), counted.count);
  }

  /** An input stream over {@code channel} from its start whose close leaves the channel open. */
  private static InputStream unclosable(FileChannel channel) throws IOException {
    return new FilterInputStream(Channels.newInputStream(channel.position(0))) {
      @Override
      public void close() {
        // the channel belongs to the caller, who closes it after the check's connection
      }
    };
  }

  /** Counts bytes and passes them on, without closing what it wraps. */
  private static final class CountingOutputStream extends FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
