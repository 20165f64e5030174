package org.stmzoo.zoo.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.stmzoo.zoo.benchmark.StepProfile;

/**
 * Where a traced step's time went ({@link BenchmarkSpec#profile}): node time summed by op type, layer kind, layer
 * and layer kind with op type, then the longest chain of dependent nodes and where its time goes. How the traced
 * step's nodes overlapped is not given: TF's runtime overlaps a traced step's nodes differently from an untraced
 * step's (two independent chains of products: 7-8 ms a step untraced, 9-17 ms traced; docs/benchmarks.md), so only
 * the node times and the graph's dependencies are read.
 *
 * @param summedMillis the step's node times summed (tracing adds overhead to each)
 * @param nodes the nodes traced
 * @param stepTables the step's node time by op type, layer kind (indices as *), layer, layer kind and op type
 * @param chainMillis the time of the longest chain of nodes each waiting for the one before
 * @param chainNodes the nodes on that chain
 * @param concurrentOps how many ops the session ran at once (its inter-op threads)
 * @param floorMillis the least time any schedule of these node times takes with {@code concurrentOps} at once
 * @param chainTables the chain's time by layer kind, and by layer kind and op type
 */
public record BenchmarkProfile(double summedMillis, int nodes, List<Table> stepTables, double chainMillis,
    int chainNodes, int concurrentOps, double floorMillis, List<Table> chainTables) {
  public BenchmarkProfile {
    stepTables = List.copyOf(Objects.requireNonNull(stepTables, "BenchmarkProfile.stepTables"));
    chainTables = List.copyOf(Objects.requireNonNull(chainTables, "BenchmarkProfile.chainTables"));
  }

  /**
   * Time summed by one key.
   *
   * @param title what the rows are keyed by, e.g. {@code op type}
   * @param rows one a key, most time first
   */
  public record Table(String title, List<Row> rows) {
    public Table {
      Objects.requireNonNull(title, "Table.title");
      rows = List.copyOf(Objects.requireNonNull(rows, "Table.rows"));
    }
  }

  /**
   * One key's time.
   *
   * @param key an op type, layer, layer kind, or layer kind and op type
   * @param millis the time its nodes took, summed
   * @param percent the share of the table's total (the step's or the chain's)
   * @param nodes the nodes it sums
   */
  public record Row(String key, double millis, double percent, int nodes) {
    public Row {
      Objects.requireNonNull(key, "Row.key");
    }
  }

  /** {@code profile}'s tables; {@code concurrentOps}: the session's inter-op threads, for the least step time. */
  static BenchmarkProfile of(StepProfile profile, int concurrentOps) {
    double total = profile.totalMicros();
    StepProfile.CriticalPath chain = profile.criticalPath();
    return new BenchmarkProfile(total / 1e3, profile.nodes().size(),
        List.of(table("op type", profile.byType(), total),
            table("layer kind (indices as *)", profile.byLayerKind(), total),
            table("layer", profile.byLayer(), total),
            table("layer kind and op type", profile.byLayerKindAndType(), total)),
        chain.micros() / 1e3, chain.chain().nodes().size(), concurrentOps, chain.floorMicros(concurrentOps) / 1e3,
        List.of(table("layer kind, time on the longest chain", chain.chain().byLayerKind(), chain.micros()),
            table("layer kind and op type, time on the longest chain", chain.chain().byLayerKindAndType(),
                chain.micros())));
  }

  private static Table table(String title, List<StepProfile.Total> totals, double totalMicros) {
    return new Table(title, totals.stream()
        .map(t -> new Row(t.key(), t.micros() / 1e3, 100 * t.micros() / totalMicros, t.nodes())).toList());
  }

  /** The tables as {@code ./stmzoo benchmark --profile --profile-top top} prints them, {@code top} rows each. */
  public String format(int top) {
    if (top < 1) {
      throw new IllegalArgumentException("top must be >= 1, got " + top);
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "profile of a traced step: %.1f ms summed over %d nodes (tracing adds"
        + " overhead to each)%n", summedMillis, nodes));
    stepTables.forEach(t -> appendTable(out, t, top));
    out.append(System.lineSeparator());
    out.append(String.format(Locale.ROOT, "dependencies: the longest chain of nodes each waiting for the one before"
        + " takes %.1f ms of the %.1f ms summed (%d nodes); with %d ops at once, no schedule of these node times"
        + " takes less than %.1f ms%n", chainMillis, summedMillis, chainNodes, concurrentOps, floorMillis));
    chainTables.forEach(t -> appendTable(out, t, top));
    return out.toString();
  }

  private static void appendTable(StringBuilder out, Table table, int top) {
    List<Row> shown = table.rows().subList(0, Math.min(top, table.rows().size()));
    out.append(System.lineSeparator());
    out.append(String.format(Locale.ROOT, "%-56s %10s %7s %7s%n", "top " + shown.size() + " by " + table.title(),
        "ms", "%", "nodes"));
    for (Row r : shown) {
      out.append(String.format(Locale.ROOT, "%-56s %10.2f %7.1f %7d%n", r.key(), r.millis(), r.percent(),
          r.nodes()));
    }
  }
}
