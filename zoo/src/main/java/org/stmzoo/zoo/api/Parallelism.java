package org.stmzoo.zoo.api;

import java.time.Duration;
import java.util.Optional;
import org.stmzoo.recipes.parallel.Cluster;
import org.stmzoo.recipes.parallel.Replicas;

/**
 * How a training run is spread: over devices of this process ({@link Replicas}), or over the processes of a
 * {@link Cluster} (one replica per task; {@code timeout} bounds every wait for another task).
 *
 * @param devices the replicas of this process (ignored for a cluster, whose replicas are its tasks)
 * @param cluster the processes, or null to train in this process alone
 * @param timeout how long a task waits for another (startup, a step, a silent chief) before failing
 */
public record Parallelism(Replicas devices, Cluster cluster, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);

  public Parallelism {
    if (cluster != null && devices.count() > 1) {
      throw new IllegalArgumentException("devices or chains and a cluster do not combine: one replica per task");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the cluster timeout must be positive, got " + timeout);
    }
  }

  /** One device of this process, as training has always run. */
  public static Parallelism none() {
    return new Parallelism(Replicas.single(), null, DEFAULT_TIMEOUT);
  }

  /** Replicas on devices of this process: a count or a list such as {@code gpu:0,gpu:1} ({@link Replicas#parse}). */
  public static Parallelism devices(String spec) {
    return new Parallelism(Replicas.parse(spec), null, DEFAULT_TIMEOUT);
  }

  /**
   * {@code n} replicas as chains of ops on this process's default device ({@link Replicas#chains}), each op on
   * one thread: for training on a few CPU cores (u-swin-micro's step on 2 cores about 1.2-1.4x TF's usual
   * threading, issue 12's tenth round).
   */
  public static Parallelism chains(int n) {
    return new Parallelism(Replicas.chains(n), null, DEFAULT_TIMEOUT);
  }

  public static Parallelism cluster(Cluster cluster, Duration timeout) {
    return new Parallelism(Replicas.single(), cluster, timeout);
  }

  public Optional<Cluster> clusterIfAny() {
    return Optional.ofNullable(cluster);
  }

  /** The replicas of the training graph: the cluster's tasks, or this process's devices. */
  public Replicas replicas() {
    return cluster != null ? cluster.replicas() : devices;
  }
}
