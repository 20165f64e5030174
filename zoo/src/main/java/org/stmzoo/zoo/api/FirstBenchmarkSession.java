package org.stmzoo.zoo.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.stmzoo.zoo.benchmark.ThreadPlan;

/**
 * What TF fixed at this process's first benchmark session and keeps for every later session, so that a later
 * benchmark asking for something else says so instead of labelling its figures with settings not in effect.
 *
 * <p>Fixed at the first session: the sizes of TF's two thread pools. The CPU device's intra-op pool is one global
 * pool, built from the first session's {@code intra_op_parallelism_threads} (measured: sessions with 1 then 2
 * threads both run a MatMul chain at 1 thread's speed, docs/benchmarks.md), and the inter-op pool is the session
 * factory's global pool, built from the first session's {@code inter_op_parallelism_threads}, since no session
 * here asks for per-session threads. And whether XLA compiles on the CPU: TF reads {@code tf_xla_cpu_global_jit}
 * once, when the first session is optimized ({@code SessionConfigs.enableCpuXla}). What each session still sets
 * itself: its graph (the plan's chains inside each image, parts of the batch, weights as constants) and its own JIT
 * level, which takes effect only where the first session had XLA on.
 *
 * <p>Only benchmarks are seen: a session the process opened before its first benchmark (a model loaded, a
 * training) sized the pools instead, and this cannot tell. The first benchmark is recorded as it starts, before
 * its session exists: one that fails before it opens its session (rare: the spec was checked) is taken as the
 * first all the same. Pool sizes compare as TF takes them (0: one thread per core, as the explicit core count).
 */
final class FirstBenchmarkSession {
  private static ThreadPlan plan;
  private static boolean xla;

  private FirstBenchmarkSession() {}

  /**
   * Records {@code asked} and {@code askedXla} where this is the process's first benchmark; otherwise the notes on
   * what of them is not in effect (none where the first session's pools and XLA state match).
   */
  static synchronized List<String> notesFor(ThreadPlan asked, boolean askedXla) {
    if (plan == null) {
      plan = asked;
      xla = askedXla;
      return List.of();
    }
    List<String> notes = new ArrayList<>();
    if (!samePools(asked, plan)) {
      notes.add(String.format(Locale.ROOT, "TF sized its thread pools at this process's first benchmark session,"
          + " under %s, and keeps them: these figures ran with those pool sizes and only the graph of %s (its"
          + " chains and parts of the batch); run each plan in its own process to compare plans", plan.describe(),
          asked.describe()));
    }
    if (askedXla && !xla) {
      notes.add("XLA was asked for, but this process's first benchmark session ran without it, and TF reads its"
          + " CPU XLA flag only then: these figures are without XLA");
    }
    return notes;
  }

  /** Whether sessions under {@code a} and {@code b} would size TF's thread pools alike. */
  static boolean samePools(ThreadPlan a, ThreadPlan b) {
    return threads(a.intraOp()) == threads(b.intraOp()) && threads(a.interOp()) == threads(b.interOp());
  }

  /** A pool's size as TF takes a count: 0 for one thread per core. */
  private static int threads(int count) {
    return count > 0 ? count : Runtime.getRuntime().availableProcessors();
  }

  /** Whether XLA compiles a session that asks for it: the first benchmark session asked for it (or this is it). */
  static synchronized boolean xlaCompiles(boolean askedXla) {
    return askedXla && (plan == null || xla);
  }

  /** The first benchmark session's plan, null before one ran: for tests that must know which run was first. */
  static synchronized ThreadPlan firstPlan() {
    return plan;
  }

  /** Whether the first benchmark session asked for XLA (false before one ran): for tests, as {@link #firstPlan}. */
  static synchronized boolean firstXla() {
    return xla;
  }
}
