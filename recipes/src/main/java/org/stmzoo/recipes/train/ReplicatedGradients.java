package org.stmzoo.recipes.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.recipes.parallel.Replicas;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The loss and gradients of one step over {@link Replicas}: the global batch in one equal slice per replica; on
 * each replica's device its training forward, loss and gradients with respect to every trainable variable's
 * {@code value()}; then the replicas' means of the loss, of the gradients and of the BatchNorm statistics, so that
 * one optimizer update of the shared variables follows. One replica is the plain graph: no slices, no means.
 *
 * <p>With more than one replica, replica i's gradient ops are in the name scope {@code replica_i} and the means of
 * the gradients in {@code train/replica_mean}: names a profile reads to give them to their layers
 * ({@link #isReplicaGradient}). The single replica's gradients are TF's {@code gradients/...}.
 */
public final class ReplicatedGradients {
  private static final String REPLICA_SCOPE = "replica_";
  private static final String MEAN_SCOPE = "replica_mean";
  private static final Pattern REPLICA_GRADIENT = Pattern.compile(
      "^(" + REPLICA_SCOPE + "\\d+|" + TrainingGraph.STEP_SCOPE + "/" + MEAN_SCOPE + ")/.*");

  /**
   * One replica's loss on its slice, and the statistic updates (BatchNorm's moving mean and variance) of its
   * training forward, which the replicas share.
   */
  record ReplicaLoss(Operand<TFloat32> loss, List<ModelGraph.StateUpdate> statistics) {}

  private record Replica(ReplicaLoss loss, List<Operand<TFloat32>> gradients) {}

  private final Operand<TFloat32> loss;
  private final List<Operand<TFloat32>> gradients;
  private final List<Op> statisticUpdates;

  /**
   * @param tf the step's scope ({@code train}): the slices and the means go in it
   * @param images the global batch's images, split over the replicas
   * @param targets the global batch's targets, split as the images
   * @param replicaLoss one replica's loss on its slice of images and targets, built on the replica's device
   */
  ReplicatedGradients(ModelGraph model, Ops tf, Replicas replicas, Operand<TFloat32> images,
      Operand<TFloat32> targets, List<ModelVariable> trainable,
      BiFunction<Operand<TFloat32>, Operand<TFloat32>, ReplicaLoss> replicaLoss) {
    int n = replicas.count();
    List<Operand<TFloat32>> imageSlices = split(tf, images, n);
    List<Operand<TFloat32>> targetSlices = split(tf, targets, n);
    List<Replica> built = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int replica = i;
      String gradientScope = n == 1 ? null : REPLICA_SCOPE + replica;
      built.add(replicas.onReplica(model.graph(), replica, () -> {
        ReplicaLoss l = replicaLoss.apply(imageSlices.get(replica), targetSlices.get(replica));
        return new Replica(l, gradients(model, l.loss(), trainable, gradientScope));
      }));
    }
    loss = mean(tf, built.stream().map(r -> r.loss().loss()).toList());
    gradients = new ArrayList<>();
    Ops gradientMean = n == 1 ? tf : tf.withSubScope(MEAN_SCOPE);
    for (int v = 0; v < trainable.size(); v++) {
      int index = v;
      gradients.add(mean(gradientMean, built.stream().map(r -> r.gradients().get(index)).toList()));
    }
    statisticUpdates = averagedStatistics(tf, built.stream().map(r -> r.loss().statistics()).toList());
  }

  /** The replicas' mean loss. */
  Operand<TFloat32> loss() {
    return loss;
  }

  /** The replicas' mean gradient of each trainable variable, in the order given. */
  List<Operand<TFloat32>> gradients() {
    return gradients;
  }

  /** One assign per statistic: its replicas' mean new value. */
  List<Op> statisticUpdates() {
    return statisticUpdates;
  }

  /**
   * Whether {@code node} is one of the replicas' gradient ops or of their means (a graph with more than one
   * replica); the single replica's gradients are TF's {@code gradients/...}.
   */
  public static boolean isReplicaGradient(String node) {
    return REPLICA_GRADIENT.matcher(node).matches();
  }

  /** Whether {@code node} is one of the ops taking the mean of the replicas' gradients, which the updates read. */
  public static boolean isReplicaGradientMean(String node) {
    return node.startsWith(TrainingGraph.STEP_SCOPE + "/" + MEAN_SCOPE + "/");
  }

  /**
   * Each statistic (BatchNorm's moving mean and variance) gets the mean of the replicas' new values, i.e. the
   * moving average of the replicas' mean batch statistic, and one assign.
   */
  private static List<Op> averagedStatistics(Ops tf, List<List<ModelGraph.StateUpdate>> replicas) {
    List<Op> assigns = new ArrayList<>();
    List<ModelGraph.StateUpdate> firsts = replicas.get(0);
    for (int u = 0; u < firsts.size(); u++) {
      int index = u;
      ModelGraph.StateUpdate first = firsts.get(u);
      Operand<TFloat32> value = mean(tf, replicas.stream().map(updates -> {
        ModelGraph.StateUpdate update = updates.get(index);
        if (!update.variable().path().equals(first.variable().path())) {
          throw new IllegalStateException("replicas update different statistics: " + first.variable().path()
              + " and " + update.variable().path());
        }
        return update.value();
      }).toList());
      assigns.add(tf.assignVariableOp(first.variable().handle(), value));
    }
    return assigns;
  }

  /**
   * TF's gradients of {@code y} with respect to each of {@code xs}' values, in the name scope {@code scope} (null:
   * TF's {@code gradients}).
   */
  private static List<Operand<TFloat32>> gradients(ModelGraph model, Operand<TFloat32> y, List<ModelVariable> xs,
      String scope) {
    Output<?>[] inputs = xs.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new);
    Output<?>[] grads = scope == null ? model.graph().addGradients(y.asOutput(), inputs)
        : model.graph().addGradients(scope, new Output<?>[] {y.asOutput()}, inputs, null);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] == null || grads[i].op() == null) {
        throw new IllegalStateException("the loss does not depend on " + xs.get(i).path());
      }
      @SuppressWarnings("unchecked")
      Output<TFloat32> g = (Output<TFloat32>) grads[i];
      out.add(g);
    }
    return out;
  }

  /** The mean of the replicas' values; the value itself for one replica. */
  private static Operand<TFloat32> mean(Ops tf, List<Operand<TFloat32>> values) {
    if (values.size() == 1) {
      return values.get(0);
    }
    return tf.math.mul(tf.math.addN(values), tf.constant(1f / values.size()));
  }

  /** {@code n} equal slices along the batch axis; the tensor itself for one. */
  private static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> batch, int n) {
    if (n == 1) {
      return List.of(batch);
    }
    List<Operand<TFloat32>> slices = new ArrayList<>();
    tf.split(tf.constant(0), batch, (long) n).forEach(slices::add);
    return slices;
  }
}
