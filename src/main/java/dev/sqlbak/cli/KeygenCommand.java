package dev.sqlbak.cli;

import com.google.gson.JsonObject;
import dev.sqlbak.age.KeyPairFile;
import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.JsonOutput;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sqlbak keygen FILE}: writes a new age identity to FILE and prints its public key on stdout. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate an age identity (X25519) and write it to FILE, readable by its owner only, in"
          + " age-keygen's layout: usable with age -d -i FILE and with sqlbak restore, verify and"
          + " info --identity FILE. FILE must not exist: a key is never overwritten.",
      "",
      "Prints the public key (age1...) alone on stdout, for backup --encrypt-to:",
      "  R=$(sqlbak keygen backup.key)",
      "  sqlbak backup --encrypt-to \"$R\" app.db /backups/",
      "Keep FILE safe and apart from the backups: without it they cannot be decrypted.",
      ""
    })
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "FILE", description = "The key file to create; its folder must exist.")
  Path file;

  @Option(names = "--json", description = "Print {\"file\": ..., \"publicKey\": ...} as one JSON object instead.")
  boolean json;

  @Override
  public Integer call() {
    if (file.toString().equals("-")) {
      // Standard output is for the public key, and a secret in a pipe or a terminal's scrollback leaks.
      throw new ParameterException(spec.commandLine(),
          "FILE '-': a secret key is never written to a stream; name a file, e.g. sqlbak keygen backup.key");
    }
    if (file.toString().isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "FILE '': an empty name; name a file, e.g. sqlbak keygen backup.key");
    }
    KeyPairFile key = KeyPairFile.create(file);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonObject o = new JsonObject();
      o.addProperty("file", key.file().toString());
      o.addProperty("publicKey", key.publicKey());
      JsonOutput.print(out, o);
    } else {
      out.println(key.publicKey());
      out.flush();
    }
    return ExitCode.OK.code();
  }
}
