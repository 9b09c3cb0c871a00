package dev.sqlbak.cli.output;

/** Formats a throwable with its causes for --verbose output. */
public final class StackTraces {
  private StackTraces() {}

  public static String format(Throwable t) {
    StringBuilder out = new StringBuilder();
    String heading = "";
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      out.append(heading).append(cause).append(System.lineSeparator());
      for (StackTraceElement frame : cause.getStackTrace()) {
        out.append("\tat ").append(frame).append(System.lineSeparator());
      }
      heading = "Caused by: ";
      if (cause.getCause() == cause) {
        break;
      }
    }
    return out.toString();
  }
}
