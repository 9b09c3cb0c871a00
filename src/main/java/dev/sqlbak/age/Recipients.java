package dev.sqlbak.age;

import java.nio.file.Path;
import java.util.List;

/**
 * Who a backup is encrypted to, as the user gave it: {@code age1…} keys ({@code --encrypt-to})
 * and recipients files ({@code --encrypt-to-file}), read and checked only when a run starts.
 *
 * @param keys X25519 recipients, {@code age1…}
 * @param files recipients files: one recipient a line, {@code #} comments, as {@code age -R} reads
 */
public record Recipients(List<String> keys, List<Path> files) {
  /** Not encrypted. */
  public static final Recipients NONE = new Recipients(List.of(), List.of());

  public Recipients {
    keys = keys == null ? List.of() : List.copyOf(keys);
    files = files == null ? List.of() : List.copyOf(files);
  }

  /** Whether encryption was asked for. */
  public boolean isEmpty() {
    return keys.isEmpty() && files.isEmpty();
  }
}
