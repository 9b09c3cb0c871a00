package dev.sqlbak.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@link HostileNeighbour} processes of one test: started together, stopped and checked together. */
public final class Neighbours implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<BufferedReader> outputs = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  /** Starts {@code role} on {@code db} (with {@code more} arguments) and waits until it has done its first work. */
  public Neighbours start(String role, Path db, String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of(role, db.toString()));
    args.addAll(List.of(more));
    Process p = HelperJvm.withOlderSqlite(HostileNeighbour.class, List.of("-XX:+UseSerialGC", "-Xshare:auto"),
        args.toArray(String[]::new)).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    processes.add(p);
    outputs.add(out);
    names.add(role + " " + db.getFileName());
    assertEquals("ready", out.readLine(), role + " on " + db + " did not start");
    return this;
  }

  /**
   * Whether another process can take {@code db}'s write lock at once: {@code got} or {@code busy}
   * (a neighbour of role {@code exclusive}).
   */
  public static String tryExclusiveLock(Path db) throws IOException, InterruptedException {
    Process p = HelperJvm.withOlderSqlite(HostileNeighbour.class, List.of("-XX:+UseSerialGC"), "exclusive",
        db.toString()).start();
    p.getOutputStream().close();
    String answer = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the lock probe did not end");
    return answer;
  }

  /**
   * Stops every neighbour and returns how much work each did; fails the test if any of them failed
   * (a writer shut out past its busy timeout counts as broken by the backup).
   */
  public List<Long> stop() throws IOException, InterruptedException {
    List<Long> work = new ArrayList<>();
    for (Process p : processes) {
      p.getOutputStream().close();
    }
    for (int i = 0; i < processes.size(); i++) {
      Process p = processes.get(i);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), names.get(i) + " did not stop");
      String last = outputs.get(i).readLine();
      assertEquals(0, p.exitValue(), names.get(i) + " failed (its stderr is above)");
      assertTrue(last != null && last.startsWith("stopped "), names.get(i) + " said " + last);
      work.add(Long.parseLong(last.substring("stopped ".length())));
    }
    processes.clear();
    return work;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
  }
}
