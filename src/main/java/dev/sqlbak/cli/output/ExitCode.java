package dev.sqlbak.cli.output;

import java.util.LinkedHashMap;
import java.util.Map;

/** sqlbak's exit codes: the one list that --help, README and tests refer to. */
public enum ExitCode {
  OK(0, "success"),
  FAILURE(1, "failure: the operation could not be done; nothing bad was left behind"),
  USAGE(2, "usage error: unknown option or command, bad value, options that cannot go together"),
  BAD_BACKUP(3, "a backup was found bad"),
  INTERRUPTED(130, "interrupted by SIGINT (Ctrl-C); temporary files removed"),
  TERMINATED(143, "terminated by SIGTERM; temporary files removed");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }

  /** The exit-code table as picocli's usage help shows it. */
  public static Map<String, String> helpTable() {
    Map<String, String> table = new LinkedHashMap<>();
    for (ExitCode c : values()) {
      table.put(String.valueOf(c.code), c.meaning);
    }
    return table;
  }
}
