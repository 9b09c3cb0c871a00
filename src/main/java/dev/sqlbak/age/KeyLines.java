package dev.sqlbak.age;

import dev.sqlbak.engine.Failures;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.payload.Decryption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The key lines of an age recipients or identity file, by age's own rules: lines split on LF (a
 * CR before it dropped), empty lines and lines that start with {@code #} skipped, every other line
 * one key. Messages name the file and the line number, never a line's content: it may be secret.
 */
final class KeyLines {
  /** The largest file age itself reads as a recipients or identity file. */
  private static final long MAX_BYTES = 16L << 20;

  /** One key line. */
  record Line(int number, String text) {}

  private KeyLines() {}

  /** The key lines of {@code file}, a {@code role} ("recipients file", "identity file"); at least one. */
  static List<Line> of(Path file, String role) {
    String text = read(file, role);
    List<Line> lines = new ArrayList<>();
    String[] raw = text.split("\n", -1);
    for (int i = 0; i < raw.length; i++) {
      String line = raw[i].endsWith("\r") ? raw[i].substring(0, raw[i].length() - 1) : raw[i];
      if (!line.isEmpty() && !line.startsWith("#")) {
        lines.add(new Line(i + 1, line));
      }
    }
    if (lines.isEmpty()) {
      throw SqlbakException.failed(role + " holds no key", file,
          "every line is empty or a # comment; " + (role.startsWith("identity")
              ? "give the file age-keygen or sqlbak keygen wrote" : "put one age1… key on a line"));
    }
    return lines;
  }

  private static String read(Path file, String role) {
    try {
      if (Files.isDirectory(file)) {
        throw SqlbakException.failed("cannot read " + role, file, "it is a directory");
      }
      byte[] bytes;
      // Read with a bound, not by its size: a device or a pipe (/dev/zero, <(…)) has none.
      try (java.io.InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes((int) MAX_BYTES + 1);
      }
      if (bytes.length > MAX_BYTES) {
        throw SqlbakException.failed(role + " too large", file, "age reads at most 16 MiB; is it the right file?");
      }
      if (Decryption.isAge(bytes, bytes.length)) {
        throw SqlbakException.failed(role + " is an age-encrypted file, not a key file", file,
            "give the file age-keygen or sqlbak keygen wrote; a key protected by a passphrase must be"
                + " decrypted with age -d into a private file first (sqlbak cannot ask for a passphrase)");
      }
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw SqlbakException.failed(role + " is not text", file, "is it the right file?", e);
    } catch (IOException e) {
      throw SqlbakException.failed("cannot read " + role, file, Failures.reason(e), e);
    }
  }
}
