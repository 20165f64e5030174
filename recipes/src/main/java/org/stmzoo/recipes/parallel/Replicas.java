package org.stmzoo.recipes.parallel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.proto.ConfigProto;

/**
 * The devices one training step is replicated over: one replica of the model per device, each on its slice of
 * the global batch. No devices is the single, unplaced replica (TensorFlow's default placement), which is what
 * training has always done.
 *
 * @param devices full TF device names ({@code /device:GPU:1}, {@code /job:worker/replica:0/task:1/device:CPU:0})
 * @param cpuDevices how many CPU devices the session must expose ({@code ConfigProto.device_count}); 0: TF's
 *     default (one)
 * @param fedByTasks replica i's slice is loaded by the process of task i of a cluster ({@link Cluster}) and
 *     reaches the step through that task's queue; replica 0's slice is fed here. Otherwise this process feeds
 *     the whole batch.
 * @param chains without devices: how many replicas share TF's default device, each as its own chain of ops
 *     ({@link #chains(int)}); 1 is the single replica
 */
public record Replicas(List<String> devices, int cpuDevices, boolean fedByTasks, int chains) {
  public Replicas {
    devices = List.copyOf(devices);
    if (new HashSet<>(devices).size() != devices.size()) {
      throw new IllegalArgumentException("a device appears twice in " + devices);
    }
    if (chains < 1 || (!devices.isEmpty() && chains != 1)) {
      throw new IllegalArgumentException("chains must be 1 with devices and >= 1 without, got " + chains);
    }
  }

  public static Replicas single() {
    return chains(1);
  }

  /**
   * {@code n} unplaced replicas: the step's forward and backward built {@code n} times, each on its slice of the
   * batch, all on TF's default device. With one intra-op thread per op and {@code n} inter-op threads the slices
   * run side by side without per-op hand-offs between cores (the batches thread plan): u-swin-micro's training
   * step at batch 32 on 2 cores 14.8-15.7 -> 18.5-21.7 img/s (docs/benchmarks.md, issue 12's tenth round). As
   * with devices, BatchNorm normalises each slice with its own statistics.
   */
  public static Replicas chains(int n) {
    return new Replicas(List.of(), 0, false, n);
  }

  /** One replica per cluster task, on the given devices, each fed by its task's process. */
  public static Replicas fedByTasks(List<String> devices) {
    return new Replicas(devices, 0, true, 1);
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
    return new Replicas(devices, cpus, false, 1);
  }

  public int count() {
    return devices.isEmpty() ? chains : devices.size();
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
   * Chains get one intra-op thread and one inter-op thread per chain.
   */
  public ConfigProto sessionConfig(ConfigProto base) {
    ConfigProto.Builder b = base.toBuilder();
    if (chains > 1) {
      // one thread per op, one op per chain at a time: the chains keep the cores busy without per-op hand-offs
      b.setIntraOpParallelismThreads(1).setInterOpParallelismThreads(chains);
    }
    if (cpuDevices > 1) {
      b.putDeviceCount("CPU", cpuDevices);
    }
    if (devices.stream().anyMatch(d -> d.contains("GPU"))) {
      b.setAllowSoftPlacement(true);
    }
    return b.build();
  }

  /** How many images of the global batch this process feeds per step, given the global batch. */
  public int fedHere(int batchSize) {
    return fedByTasks ? slice(batchSize) : batchSize;
  }

  /** The global batch of a step whose share fed by this process is {@code fedHere} images. */
  public int globalBatch(int fedHere) {
    return fedByTasks ? fedHere * count() : fedHere;
  }

  /** Refuses a global batch size that does not split evenly: every replica gets the same share. */
  public void checkBatchSize(int batchSize) {
    if (batchSize % count() != 0) {
      throw new IllegalArgumentException("the batch size " + batchSize + " does not split evenly over " + count()
          + " replicas");
    }
  }

  /** Each replica's share of a global batch of {@code batchSize}, which must split evenly. */
  public int slice(int batchSize) {
    checkBatchSize(batchSize);
    return batchSize / count();
  }

  /**
   * Runs {@code build} and places every op it added to the graph on replica {@code i}'s device (see
   * {@link NativeGraphs#onDevice}).
   */
  public <T> T onReplica(Graph graph, int i, Supplier<T> build) {
    return placed() ? NativeGraphs.onDevice(graph, devices.get(i), build) : build.get();
  }
}
