package org.stmzoo.zoo.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where one session run spent its time: every node the runtime executed (after Grappler's rewrites, so fused
 * ops appear as such: {@code _FusedMatMul}, {@code _FusedConv2D}), with its op type, its layer
 * ({@link LayerAttribution}) and its time, from TF's step stats of a run traced with {@link #TRACE_OPTIONS}.
 * Node times overlap when the runtime runs nodes in parallel, so their sum can exceed the step's wall time.
 */
public record StepProfile(List<NodeTime> nodes, double wallMillis) {
  /** Options that make a session run record step stats. */
  public static final RunOptions TRACE_OPTIONS =
      RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();

  /**
   * One executed node: its name in the runtime's graph, op type, layer path, when it started (microseconds on the
   * runtime's clock) and how long it ran (microseconds).
   */
  public record NodeTime(String node, String type, String layer, double startMicros, double micros) {
    double endMicros() {
      return startMicros + micros;
    }
  }

  /**
   * How the step's span (the first node's start to the last node's end) divides by how many nodes ran at once:
   * {@code micros[k]} is the time with {@code k} nodes running, the last entry the time with that many or more,
   * {@code micros[0]} the time between nodes (the runtime's own). {@code alone} holds the nodes that ran while no
   * other node did, each with that time as its own: with several inter-op threads, where the other threads waited
   * (at a join, or in a part of the graph built as one chain); its totals by layer or op type say where.
   */
  public record Parallelism(double spanMicros, double[] micros, StepProfile alone) {
    public Parallelism {
      micros = micros.clone();
    }

    @Override
    public double[] micros() {
      return micros.clone();
    }

    /** The share of the span with {@code k} nodes running (the last entry: that many or more). */
    public double share(int k) {
      return spanMicros > 0 ? micros[k] / spanMicros : 0;
    }
  }

  /** Time summed over the nodes sharing a key (an op type or a layer), and how many nodes that was. */
  public record Total(String key, double micros, int nodes) {}

  public StepProfile {
    nodes = List.copyOf(nodes);
  }

  /** The profile of a traced run ({@code runAndFetchMetadata} with {@link #TRACE_OPTIONS}). */
  public static StepProfile of(RunMetadata metadata, LayerAttribution layers, double wallMillis) {
    List<NodeTime> nodes = new ArrayList<>();
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats n : device.getNodeStatsList()) {
        nodes.add(new NodeTime(n.getNodeName(), typeOf(n, layers), layers.layerOf(n.getNodeName()), start(n),
            micros(n)));
      }
    }
    return new StepProfile(nodes, wallMillis);
  }

  public double totalMicros() {
    return nodes.stream().mapToDouble(NodeTime::micros).sum();
  }

  /** Totals per op type, largest first. */
  public List<Total> byType() {
    return totals(NodeTime::type);
  }

  /** Totals per layer path, largest first. */
  public List<Total> byLayer() {
    return totals(NodeTime::layer);
  }

  /**
   * Totals per kind of layer: the layer path with its indices replaced by {@code *}, so that {@code
   * stages.*.blocks.*.mixer} sums every block's mixer. Largest first.
   */
  public List<Total> byLayerKind() {
    return totals(StepProfile::layerKind);
  }

  /**
   * Totals per op type within a kind of layer ({@code stages.*.blocks.*.mixer: Mul}): where an op type's time
   * comes from. Largest first.
   */
  public List<Total> byLayerKindAndType() {
    return totals(n -> layerKind(n) + ": " + n.type());
  }

  /**
   * The step's span divided by how many nodes ran at once, up to {@code atLeast} (the last bucket counts that
   * many or more), and the nodes that ran alone for a while.
   */
  public Parallelism parallelism(int atLeast) {
    if (atLeast < 1) {
      throw new IllegalArgumentException("need at least one bucket above none, got " + atLeast);
    }
    double[] micros = new double[atLeast + 1];
    int n = nodes.size();
    double[] aloneByNode = new double[n];
    // Sweep the starts and ends of the nodes that took time, in time order; event e < n starts node e, e >= n ends
    // node e - n. At a tie ends come first, so that a node starting as another ends does not overlap it. (A node
    // without time of its own is left out: its end would sort before its start.)
    Function<Integer, Double> time = e -> e < n ? nodes.get(e).startMicros() : nodes.get(e - n).endMicros();
    List<Integer> events = new ArrayList<>(2 * n);
    for (int i = 0; i < n; i++) {
      if (nodes.get(i).micros() > 0) {
        events.add(i);
        events.add(i + n);
      }
    }
    events.sort(Comparator.comparing(time).thenComparing(e -> e < n));
    LinkedHashSet<Integer> running = new LinkedHashSet<>();
    double previous = events.isEmpty() ? 0 : time.apply(events.get(0));
    for (int e : events) {
      double t = time.apply(e);
      micros[Math.min(running.size(), atLeast)] += t - previous;
      if (running.size() == 1) {
        aloneByNode[running.iterator().next()] += t - previous;
      }
      previous = t;
      if (e < n) {
        running.add(e);
      } else {
        running.remove(e - n);
      }
    }
    List<NodeTime> alone = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (aloneByNode[i] > 0) {
        NodeTime node = nodes.get(i);
        alone.add(new NodeTime(node.node(), node.type(), node.layer(), node.startMicros(), aloneByNode[i]));
      }
    }
    double span = Arrays.stream(micros).sum();
    return new Parallelism(span, micros, new StepProfile(alone, span / 1e3));
  }

  private static String layerKind(NodeTime n) {
    return n.layer().replaceAll("(^|\\.)\\d+(?=\\.|$)", "$1*");
  }

  private List<Total> totals(Function<NodeTime, String> key) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (NodeTime n : nodes) {
      double[] s = sums.computeIfAbsent(key.apply(n), k -> new double[2]);
      s[0] += n.micros();
      s[1]++;
    }
    List<Total> out = new ArrayList<>();
    sums.forEach((k, s) -> out.add(new Total(k, s[0], (int) s[1])));
    out.sort(Comparator.comparingDouble(Total::micros).reversed().thenComparing(Total::key));
    return out;
  }

  /** The runtime's op type ("name = Type(inputs)" in the timeline label), else the graph's. */
  private static String typeOf(NodeExecStats n, LayerAttribution layers) {
    String label = n.getTimelineLabel();
    int eq = label.indexOf(" = ");
    if (eq >= 0) {
      int paren = label.indexOf('(', eq);
      return label.substring(eq + 3, paren < 0 ? label.length() : paren).trim();
    }
    return layers.typeOf(n.getNodeName()).orElse(n.getNodeName().startsWith("_") ? n.getNodeName() : "?");
  }

  private static double start(NodeExecStats n) {
    return n.getAllStartNanos() > 0 ? n.getAllStartNanos() / 1e3 : n.getAllStartMicros();
  }

  private static double micros(NodeExecStats n) {
    return n.getAllEndRelNanos() > 0 ? n.getAllEndRelNanos() / 1e3 : n.getAllEndRelMicros();
  }
}
