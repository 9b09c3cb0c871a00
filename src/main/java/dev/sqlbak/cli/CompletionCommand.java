package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ExitCode;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sqlbak completion}: prints a bash completion script for every command and option. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a bash completion script on stdout. Load it with:",
      "  source <(sqlbak completion)",
      ""
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("sqlbak", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCode.OK.code();
  }
}
