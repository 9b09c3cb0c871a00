package dev.sqlbak.e2e;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How many trials the fault-injection tests run: a fast sample by default (every {@code ./mvnw
 * verify}), many more with {@code -Dsqlbak.soak=true}; a test's own property still wins over both.
 */
final class FaultTrials {
  /** The long form: {@code -Dsqlbak.soak=true}. */
  static final boolean SOAK = Boolean.getBoolean("sqlbak.soak");

  private FaultTrials() {}

  /** {@code property} if given, else {@code soak} trials in a soak run and {@code fast} otherwise. */
  static int count(String property, int fast, int soak) {
    return Integer.getInteger(property, SOAK ? soak : fast);
  }

  /** The random seed: {@code -Dsqlbak.e2e.seed} to repeat a run, else a fresh one. */
  static long seed() {
    return Long.getLong("sqlbak.e2e.seed", System.nanoTime());
  }

  /** Counts of where each kill landed, in the order the phases were first named. */
  static final class Phases {
    private final Map<String, Integer> counts = new TreeMap<>();
    private final String[] order;

    /** {@code order}: every phase, in the order the summary names them (also those never hit). */
    Phases(String... order) {
      this.order = order;
      for (String phase : order) {
        counts.put(phase, 0);
      }
    }

    void add(String phase) {
      if (!counts.containsKey(phase)) {
        throw new IllegalArgumentException("unknown phase " + phase);
      }
      counts.merge(phase, 1, Integer::sum);
    }

    int get(String phase) {
      return counts.get(phase);
    }

    /** For the summary line: {@code 3 before the copy, 4 during the copy, ...}. */
    @Override
    public String toString() {
      return java.util.Arrays.stream(order).map(p -> counts.get(p) + " " + p).collect(Collectors.joining(", "));
    }
  }
}
