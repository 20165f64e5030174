package org.stmzoo.zoo.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.stmzoo.zoo.benchmark.StepProfile;

/** Prints a {@link StepProfile}: the top op types, layer kinds, layers and op types per layer kind by time. */
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
