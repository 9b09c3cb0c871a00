package dev.sqlbak.cli;

import dev.sqlbak.age.Recipients;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Backup's {@code --encrypt-to} options: the backup is published as an age file to these recipients. */
final class EncryptionFlags {
  @Option(names = {"-r", "--encrypt-to"}, paramLabel = "RECIPIENT",
      description = "Encrypt the backup with age to this X25519 public key (age1…); repeatable. The name gains"
          + " .age; age -d -i KEYFILE opens it.")
  List<String> keys = new ArrayList<>();

  @Option(names = {"-R", "--encrypt-to-file"}, paramLabel = "FILE", converter = PathConverter.class,
      description = "Encrypt to every recipient in FILE (one age1… key a line, # comments, as age -R); repeatable.")
  List<Path> files = new ArrayList<>();

  /** The recipients as the engine takes them. */
  Recipients recipients() {
    return new Recipients(keys, files);
  }
}
