package dev.sqlbak.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

/** One in-process run of the CLI through {@link SqlbakCommand#run}: exit code and both streams. */
record CliRun(int exitCode, String out, String err, byte[] stdoutBytes) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SqlbakCommand.run(new PrintWriter(out), new PrintWriter(err), args);
    return new CliRun(code, out.toString(), err.toString(), null);
  }

  /** A run with standard output as bytes, as the real entry point has it. */
  static CliRun binary(String... args) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code = SqlbakCommand.run(bytes, new PrintWriter(err), false, args);
    byte[] raw = bytes.toByteArray();
    return new CliRun(code, new String(raw, java.nio.charset.StandardCharsets.UTF_8), err.toString(), raw);
  }

  /** A run as {@link #binary}, with {@code stdin} as standard input. */
  static CliRun withStdin(byte[] stdin, String... args) {
    return withStdin(new java.io.ByteArrayInputStream(stdin), args);
  }

  /** A run as {@link #binary}, reading standard input from {@code stdin}. */
  static CliRun withStdin(java.io.InputStream stdin, String... args) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code = SqlbakCommand.run(stdin, bytes, new PrintWriter(err), false, args);
    byte[] raw = bytes.toByteArray();
    return new CliRun(code, new String(raw, java.nio.charset.StandardCharsets.UTF_8), err.toString(), raw);
  }

  List<String> errLines() {
    return err.isEmpty() ? List.of() : Arrays.asList(err.split("\\R"));
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
