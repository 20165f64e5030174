package org.stmzoo.zoo.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.stmzoo.zoo.benchmark.StepProfile;

/**
 * Prints a {@link StepProfile}: the top op types, layer kinds, layers and op types per layer kind by time, then how
 * much of the step ran in parallel and which layers ran alone (percentages there are of the step's span).
 */
final class ProfilePrinter {
  private ProfilePrinter() {}

  static void print(StepProfile profile, int top, PrintStream out) {
    double total = profile.totalMicros();
    out.printf(Locale.ROOT, "profile of one traced step: %.1f ms wall, %.1f ms summed over %d nodes"
        + " (nodes run in parallel, so the sum can exceed the wall time; tracing adds overhead)%n",
        profile.wallMillis(), total / 1e3, profile.nodes().size());
    table(out, "op type", profile.byType(), top, total);
    table(out, "layer kind (indices as *)", profile.byLayerKind(), top, total);
    table(out, "layer", profile.byLayer(), top, total);
    table(out, "layer kind and op type", profile.byLayerKindAndType(), top, total);
    StepProfile.Parallelism p = profile.parallelism(2);
    out.println();
    out.printf(Locale.ROOT, "parallelism: of the %.1f ms from the first node's start to the last node's end,"
        + " two or more nodes ran %.1f %%, one %.1f %%, none %.1f %% (the runtime between nodes)%n",
        p.spanMicros() / 1e3, 100 * p.share(2), 100 * p.share(1), 100 * p.share(0));
    table(out, "layer, time running alone (other threads idle)", p.alone().byLayer(), top, p.spanMicros());
    table(out, "layer kind and op type, time running alone", p.alone().byLayerKindAndType(), top, p.spanMicros());
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
