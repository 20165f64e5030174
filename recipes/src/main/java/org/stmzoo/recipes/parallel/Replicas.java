package org.stmzoo.recipes.parallel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.ConfigProto;

/**
 * The devices one training step is replicated over: one replica of the model per device, each on its slice of
 * the global batch. No devices is the single, unplaced replica (TensorFlow's default placement), which is what
 * training has always done.
 *
 * @param devices full TF device names ({@code /device:GPU:1}, {@code /job:worker/replica:0/task:1/device:CPU:0})
 * @param cpuDevices how many CPU devices the session must expose ({@code ConfigProto.device_count}); 0: TF's
 *     default (one)
 */
public record Replicas(List<String> devices, int cpuDevices) {
  public Replicas {
    devices = List.copyOf(devices);
    if (new HashSet<>(devices).size() != devices.size()) {
      throw new IllegalArgumentException("a device appears twice in " + devices);
    }
  }

  public static Replicas single() {
    return new Replicas(List.of(), 0);
  }

  /** Replicas on the given full device names (used for the tasks of a cluster). */
  public static Replicas on(List<String> devices) {
    return new Replicas(devices, 0);
  }

  /**
   * {@code --devices}: a count N (the first N GPUs when TensorFlow sees at least N, else N CPU devices) or a
   * list such as {@code cpu:0,cpu:1} or {@code gpu:0,gpu:1}.
   */
  public static Replicas parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    if (s.matches("\\d+")) {
      int n = Integer.parseInt(s);
      if (n < 1) {
        throw new IllegalArgumentException("--devices must be at least 1, got " + spec);
      }
      long gpus = NativeGraphs.localDevices(ConfigProto.getDefaultInstance()).stream()
          .filter(d -> d.contains("device:GPU:")).count();
      String kind = gpus >= n ? "gpu" : "cpu";
      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        names.add(kind + ":" + i);
      }
      return parse(String.join(",", names));
    }
    List<String> devices = new ArrayList<>();
    int cpus = 0;
    for (String part : s.split(",")) {
      String[] kindIndex = part.trim().split(":");
      if (kindIndex.length != 2 || !(kindIndex[0].equals("cpu") || kindIndex[0].equals("gpu"))
          || !kindIndex[1].matches("\\d+")) {
        throw new IllegalArgumentException("--devices takes a count or a list such as cpu:0,cpu:1 or gpu:0,gpu:1, got '"
            + spec + "'");
      }
      int index = Integer.parseInt(kindIndex[1]);
      devices.add("/device:" + kindIndex[0].toUpperCase(Locale.ROOT) + ":" + index);
      if (kindIndex[0].equals("cpu")) {
        cpus = Math.max(cpus, index + 1);
      }
    }
    return new Replicas(devices, cpus);
  }

  public int count() {
    return Math.max(1, devices.size());
  }

  public boolean placed() {
    return !devices.isEmpty();
  }

  /** The device of replica {@code i}; empty for the single unplaced replica. */
  public String device(int i) {
    return placed() ? devices.get(i) : "";
  }

  /**
   * The session configuration these devices need: several CPU devices, and soft placement on GPUs (for the few
   * ops without a GPU kernel). CPU layouts keep hard placement, so a device that does not exist is an error.
   */
  public ConfigProto sessionConfig(ConfigProto base) {
    ConfigProto.Builder b = base.toBuilder();
    if (cpuDevices > 1) {
      b.putDeviceCount("CPU", cpuDevices);
    }
    if (devices.stream().anyMatch(d -> d.contains("GPU"))) {
      b.setAllowSoftPlacement(true);
    }
    return b.build();
  }

  /** Global batch size check: every replica gets the same share. */
  public int slice(int batchSize) {
    if (batchSize % count() != 0) {
      throw new IllegalArgumentException("the batch size " + batchSize + " does not split evenly over " + count()
          + " replicas");
    }
    return batchSize / count();
  }

  /**
   * Runs {@code build} and places every op it added to the graph on replica {@code i}'s device (ops that already
   * name a device, and variables, keep theirs). Layers build with the {@code Ops} they were constructed with and
   * gradients come without devices, so placement happens here, after the fact, rather than through a scope.
   */
  public <T> T onReplica(Graph graph, int i, Supplier<T> build) {
    if (!placed()) {
      return build.get();
    }
    Set<String> before = new HashSet<>();
    graph.operations().forEachRemaining(op -> before.add(op.name()));
    T result = build.get();
    place(graph, before, devices.get(i));
    return result;
  }

  /** Places every op not in {@code before} that has no device yet (variables excepted) on {@code device}. */
  static void place(Graph graph, Set<String> before, String device) {
    Iterator<GraphOperation> ops = graph.operations();
    while (ops.hasNext()) {
      GraphOperation op = ops.next();
      if (!before.contains(op.name()) && op.device().isEmpty() && !op.type().equals("VarHandleOp")) {
        NativeGraphs.setDevice(graph, op, device);
      }
    }
  }
}
