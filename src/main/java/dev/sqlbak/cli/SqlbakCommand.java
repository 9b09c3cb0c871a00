package dev.sqlbak.cli;

import dev.sqlbak.cli.output.ExitCode;
import dev.sqlbak.cli.output.StackTraces;
import dev.sqlbak.engine.BackupEngine;
import dev.sqlbak.engine.Interruptions;
import dev.sqlbak.engine.SqlbakException;
import dev.sqlbak.engine.SqlbakVersion;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/** The top-level {@code sqlbak} command: routes to subcommands and turns outcomes into exit codes. */
@Command(
    name = "sqlbak",
    mixinStandardHelpOptions = true,
    versionProvider = SqlbakCommand.Version.class,
    description = "Consistent, checked, atomic backups of live SQLite databases.",
    exitCodeListHeading = "%nExit codes:%n")
public final class SqlbakCommand implements Callable<Integer> {
  /**
   * The subcommands, in the order help lists them. picocli reads the annotations of every
   * registered command before parsing, which took about 30 ms of each run's start for commands
   * it did not run; a run whose first argument names a command registers only that one.
   */
  static final List<Class<?>> SUBCOMMANDS = List.of(BackupCommand.class, RestoreCommand.class,
      VerifyCommand.class, InfoCommand.class, ListCommand.class, PruneCommand.class, KeygenCommand.class,
      CompletionCommand.class, WarmUpCommand.class, CommandLine.HelpCommand.class);

  @Spec CommandSpec spec;

  /** Whether stderr is an interactive terminal, which makes {@code --progress auto} draw a bar. */
  final boolean terminal;
  /** Standard output as bytes, for a backup streamed to {@code -}; null where only text is available. */
  final OutputStream binaryOut;
  /** Standard input, for a backup restored from {@code -}; an empty stream where none was given. */
  final StandardInput in;

  SqlbakCommand(boolean terminal, OutputStream binaryOut, StandardInput in) {
    this.terminal = terminal;
    this.binaryOut = binaryOut;
    this.in = in;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing command (backup, restore, verify, info, list, prune or keygen)");
  }

  /** Runs sqlbak with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(StandardInput.of(InputStream.nullInputStream()), out, null, err, false, args);
  }

  /**
   * Runs sqlbak with standard output as bytes (text is written to it as UTF-8), saying whether
   * stderr is a terminal; returns the exit code.
   */
  public static int run(OutputStream stdout, PrintWriter err, boolean terminal, String... args) {
    return run(InputStream.nullInputStream(), stdout, err, terminal, args);
  }

  /**
   * As {@link #run(OutputStream, PrintWriter, boolean, String...)}, with standard input as bytes
   * ({@code restore -} reads the backup from it); the entry point's form.
   */
  public static int run(InputStream stdin, OutputStream stdout, PrintWriter err, boolean terminal, String... args) {
    return run(StandardInput.of(stdin), stdout, err, terminal, args);
  }

  /** As {@link #run(InputStream, OutputStream, PrintWriter, boolean, String...)}, saying whether stdin is a terminal. */
  static int run(StandardInput stdin, OutputStream stdout, PrintWriter err, boolean terminal, String... args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), false);
    return run(stdin, out, stdout, err, terminal, args);
  }

  private static int run(StandardInput stdin, PrintWriter out, OutputStream binaryOut, PrintWriter err,
      boolean terminal, String... args) {
    CommandLine cli = new CommandLine(new SqlbakCommand(terminal, binaryOut, stdin));
    Class<?> named = args.length > 0 ? subcommandNamed(args[0]) : null;
    if (named != null && named != CommandLine.HelpCommand.class && named != CompletionCommand.class) {
      cli.addSubcommand(named);
    } else {
      // Help, completion, a mistyped name (its suggestions) and top-level options need them all.
      SUBCOMMANDS.forEach(cli::addSubcommand);
    }
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // picocli's own conversion would print the InvalidPathException of a NUL or unmappable name.
    cli.registerConverter(java.nio.file.Path.class, new PathConverter());
    cli.setParameterExceptionHandler(usageErrors());
    cli.setExecutionExceptionHandler(failures());
    cli.getCommandSpec().usageMessage().exitCodeList(ExitCode.helpTable());
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().usageMessage()
          .exitCodeListHeading("%nExit codes:%n")
          .exitCodeList(ExitCode.helpTable());
    }
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The subcommand whose {@code @Command} name is {@code name}, or null. */
  private static Class<?> subcommandNamed(String name) {
    for (Class<?> c : SUBCOMMANDS) {
      if (c.getAnnotation(Command.class).name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private static IParameterExceptionHandler usageErrors() {
    return (ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      PrintWriter err = cmd.getErr();
      err.println("sqlbak: " + oneLine(ex.getMessage()));
      UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
      return ExitCode.USAGE.code();
    };
  }

  private static IExecutionExceptionHandler failures() {
    return (ex, cmd, parseResult) -> {
      if (Interruptions.requested()) {
        // The shutdown hook prints the one line of a run that SIGINT or SIGTERM stopped.
        return ExitCode.INTERRUPTED.code();
      }
      PrintWriter err = cmd.getErr();
      ExitCode code = ExitCode.FAILURE;
      if (ex instanceof SqlbakException) {
        SqlbakException failure = (SqlbakException) ex;
        err.println("sqlbak: " + oneLine(failure.getMessage()));
        code = exitCodeOf(failure.kind());
        if (code == ExitCode.USAGE) {
          err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
      } else {
        err.println("sqlbak: internal error: " + oneLine(String.valueOf(ex))
            + "; please report it with the output of --verbose");
      }
      if (verbose(parseResult)) {
        err.print(StackTraces.format(ex));
      }
      err.flush();
      return code.code();
    };
  }

  static ExitCode exitCodeOf(SqlbakException.Kind kind) {
    switch (kind) {
      case USAGE:
        return ExitCode.USAGE;
      case BAD_BACKUP:
        return ExitCode.BAD_BACKUP;
      default:
        return ExitCode.FAILURE;
    }
  }

  private static boolean verbose(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replace('\n', ' ').replace('\r', ' ').trim();
  }

  /** sqlbak's version, with the SQLite and Java it runs on. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "sqlbak " + SqlbakVersion.get(),
        "SQLite " + BackupEngine.sqliteVersion() + ", Java " + System.getProperty("java.version")
      };
    }
  }
}
