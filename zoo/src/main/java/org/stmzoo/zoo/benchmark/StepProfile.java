package org.stmzoo.zoo.benchmark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
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
  /**
   * Options that make a session run record step stats and the graphs it ran (for the nodes' inputs). Software
   * tracing: the stats alone (a hardware or full trace also runs TF's profiler, whose records the profile does not
   * read).
   */
  public static final RunOptions TRACE_OPTIONS = RunOptions.newBuilder()
      .setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).setOutputPartitionGraphs(true).build();

  /**
   * One executed node: its name in the runtime's graph, op type, layer path, when it started (microseconds on the
   * runtime's clock), how long it ran (microseconds) and the executed nodes it waited for (its data and control
   * inputs in the graph the runtime ran; through inputs that left no time of their own, theirs).
   */
  public record NodeTime(String node, String type, String layer, double startMicros, double micros,
      List<String> inputs) {
    public NodeTime {
      inputs = List.copyOf(inputs);
    }
  }

  /** Time summed over the nodes sharing a key (an op type or a layer), and how many nodes that was. */
  public record Total(String key, double micros, int nodes) {}

  /**
   * The longest chain of dependent nodes of a step ({@link #criticalPath()}): its time (microseconds, the nodes' own
   * times summed), the whole step's summed node time, and the chain's nodes in order.
   */
  public record CriticalPath(double micros, double stepMicros, StepProfile chain) {
    /**
     * The least a step of these node times can take with at most {@code concurrentOps} nodes running at once: the
     * chain, or every node's time shared out evenly, whichever is longer.
     */
    public double floorMicros(int concurrentOps) {
      if (concurrentOps < 1) {
        throw new IllegalArgumentException("need at least one op at a time, got " + concurrentOps);
      }
      return Math.max(micros, stepMicros / concurrentOps);
    }
  }

  public StepProfile {
    nodes = List.copyOf(nodes);
  }

  /** The profile of a traced run ({@code runAndFetchMetadata} with {@link #TRACE_OPTIONS}). */
  public static StepProfile of(RunMetadata metadata, LayerAttribution layers, double wallMillis) {
    List<NodeExecStats> executed = new ArrayList<>();
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      executed.addAll(device.getNodeStatsList());
    }
    Set<String> names = new HashSet<>();
    executed.forEach(n -> names.add(n.getNodeName()));
    Map<String, List<String>> graphInputs = new HashMap<>();
    for (GraphDef graph : metadata.getPartitionGraphsList()) {
      for (NodeDef node : graph.getNodeList()) {
        graphInputs.put(node.getName(), node.getInputList().stream().map(StepProfile::producer).toList());
      }
    }
    Map<String, List<String>> executedInputs = new HashMap<>();
    List<NodeTime> nodes = new ArrayList<>();
    for (NodeExecStats n : executed) {
      String type = typeOf(n, layers);
      String layer = layers.layerOf(n.getNodeName(), type, graphInputs.getOrDefault(n.getNodeName(), List.of()));
      nodes.add(new NodeTime(n.getNodeName(), type, layer, start(n), micros(n),
          executedInputs(n.getNodeName(), graphInputs, names, executedInputs)));
    }
    return new StepProfile(nodes, wallMillis);
  }

  /** The node an input names: {@code node}, {@code node:1} (an output) and {@code ^node} (a control input). */
  private static String producer(String input) {
    String name = input.startsWith("^") ? input.substring(1) : input;
    int colon = name.lastIndexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  /**
   * The executed nodes {@code node} waits for: its inputs that ran, and in place of an input that left no stats
   * (the runtime ran it without recording it), that input's own (memoised; a graph's loops are cut where met).
   */
  private static List<String> executedInputs(String node, Map<String, List<String>> graphInputs, Set<String> executed,
      Map<String, List<String>> memo) {
    List<String> known = memo.get(node);
    if (known != null) {
      return known;
    }
    memo.put(node, List.of()); // a loop back to this node ends here
    Set<String> inputs = new LinkedHashSet<>();
    for (String input : graphInputs.getOrDefault(node, List.of())) {
      if (executed.contains(input)) {
        inputs.add(input);
      } else {
        inputs.addAll(executedInputs(input, graphInputs, executed, memo));
      }
    }
    List<String> result = List.copyOf(inputs);
    memo.put(node, result);
    return result;
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
   * The longest chain of nodes each waiting for the one before ({@link NodeTime#inputs()}), by the nodes' own times:
   * the least a step of these node times takes however many threads run it, and the nodes on it, in order, as a
   * profile of their own (its {@code byLayer()} says where the chain's time goes). A node name that ran more than
   * once counts each run; a graph's loops are cut where they close.
   */
  public CriticalPath criticalPath() {
    int n = nodes.size();
    Map<String, List<Integer>> byName = new HashMap<>();
    for (int i = 0; i < n; i++) {
      byName.computeIfAbsent(nodes.get(i).node(), k -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> consumers = new ArrayList<>();
    int[] waitingFor = new int[n];
    for (int i = 0; i < n; i++) {
      consumers.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      for (String input : nodes.get(i).inputs()) {
        for (int producer : byName.getOrDefault(input, List.of())) {
          if (producer != i) {
            consumers.get(producer).add(i);
            waitingFor[i]++;
          }
        }
      }
    }
    // Kahn's order: a node is finished once every node it waits for is; nodes on a loop never become ready
    double[] finish = new double[n];
    int[] before = new int[n];
    Arrays.fill(before, -1);
    ArrayDeque<Integer> ready = new ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      if (waitingFor[i] == 0) {
        ready.add(i);
      }
    }
    int last = -1;
    while (!ready.isEmpty()) {
      int i = ready.poll();
      finish[i] += nodes.get(i).micros();
      if (last < 0 || finish[i] > finish[last]) {
        last = i;
      }
      for (int c : consumers.get(i)) {
        if (finish[i] > finish[c]) {
          finish[c] = finish[i];
          before[c] = i;
        }
        if (--waitingFor[c] == 0) {
          ready.add(c);
        }
      }
    }
    List<NodeTime> chain = new ArrayList<>();
    for (int i = last; i >= 0; i = before[i]) {
      chain.add(nodes.get(i));
    }
    Collections.reverse(chain);
    double micros = last < 0 ? 0 : finish[last];
    return new CriticalPath(micros, totalMicros(), new StepProfile(chain, micros / 1e3));
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
