package dev.sqlbak.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --identity} option of the commands that read backups, which opens encrypted ones. */
final class IdentityFlags {
  @Option(names = {"-i", "--identity"}, paramLabel = "FILE", converter = PathConverter.class,
      description = "An age identity file (age-keygen's or sqlbak keygen's key file) that opens encrypted"
          + " (.age) backups; repeatable. Without it, verify checks an encrypted backup by its .sha256"
          + " sidecar alone (and says so), and restore and info refuse it.")
  List<Path> files = new ArrayList<>();
}
