package org.stmzoo.zoo.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.stmzoo.zoo.benchmark.StepProfile;

/**
 * Prints a {@link StepProfile}: the top op types, layer kinds, layers and op types per layer kind by time, then the
 * longest chain of dependent nodes and where its time goes (percentages of the chain). How the traced step's nodes
 * overlapped is not printed: TF's runtime overlaps a traced step's nodes differently from an untraced step's (two
 * independent chains of products: 7-8 ms a step untraced, 9-17 ms traced; docs/benchmarks.md), so only the node
 * times and the graph's dependencies are read.
 */
final class ProfilePrinter {
  private ProfilePrinter() {}

  /**
   * @param concurrentOps how many ops the session ran at once (its inter-op threads), for the least step time the
   *     node times allow
   */
  static void print(StepProfile profile, int concurrentOps, int top, PrintStream out) {
    double total = profile.totalMicros();
    out.printf(Locale.ROOT, "profile of a traced step: %.1f ms summed over %d nodes (tracing adds overhead to each)%n",
        total / 1e3, profile.nodes().size());
    table(out, "op type", profile.byType(), top, total);
    table(out, "layer kind (indices as *)", profile.byLayerKind(), top, total);
    table(out, "layer", profile.byLayer(), top, total);
    table(out, "layer kind and op type", profile.byLayerKindAndType(), top, total);
    StepProfile.CriticalPath chain = profile.criticalPath();
    out.println();
    out.printf(Locale.ROOT, "dependencies: the longest chain of nodes each waiting for the one before takes %.1f ms"
        + " of the %.1f ms summed (%d nodes); with %d ops at once, no schedule of these node times takes less"
        + " than %.1f ms%n", chain.micros() / 1e3, total / 1e3, chain.chain().nodes().size(), concurrentOps,
        chain.floorMicros(concurrentOps) / 1e3);
    table(out, "layer kind, time on the longest chain", chain.chain().byLayerKind(), top, chain.micros());
    table(out, "layer kind and op type, time on the longest chain", chain.chain().byLayerKindAndType(), top,
        chain.micros());
  }

  private static void table(PrintStream out, String title, List<StepProfile.Total> totals, int top, double total) {
    out.println();
    out.printf(Locale.ROOT, "%-56s %10s %7s %7s%n", "top " + Math.min(top, totals.size()) + " by " + title, "ms",
        "%", "nodes");
    for (StepProfile.Total t : totals.subList(0, Math.min(top, totals.size()))) {
      out.printf(Locale.ROOT, "%-56s %10.2f %7.1f %7d%n", t.key(), t.micros() / 1e3, 100 * t.micros() / total,
          t.nodes());
    }
  }
}
