package org.stmzoo.recipes.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Loads a model's weights from another run's checkpoint ({@code --init}): every variable whose checkpoint tensor
 * has the same shape is restored; the others (a classifier head for a different number of classes) keep their
 * fresh initialisation and are reported, as DeiT's fine-tuning drops a mismatched head.
 */
public final class CheckpointShapes {
  private CheckpointShapes() {}

  /** Restores the matching variables into {@code session}; returns the paths that were skipped. */
  public static List<String> restoreMatching(Session session, ModelGraph model, List<ModelVariable> variables,
      String prefix) {
    return restoreMatching(session, model, variables, prefix, ModelVariable::path);
  }

  /** As above, each variable read from the checkpoint's tensor {@code key(variable)} (e.g. its EMA copy). */
  public static List<String> restoreMatching(Session session, ModelGraph model, List<ModelVariable> variables,
      String prefix, Function<ModelVariable, String> key) {
    List<long[]> shapes = read(prefix, variables.stream().map(key).toList());
    List<ModelVariable> matching = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      ModelVariable v = variables.get(i);
      if (Arrays.equals(shapes.get(i), v.shape().asArray())) {
        matching.add(v);
      } else {
        skipped.add(v.path() + " " + Arrays.toString(shapes.get(i)) + " vs " + v.shape());
      }
    }
    if (matching.isEmpty()) {
      throw new IllegalArgumentException("no variable of " + prefix + " fits this model");
    }
    CheckpointOps.build(model, "init_checkpoint", matching, key).restore(session, prefix);
    return skipped;
  }

  /** The shapes of the tensors {@code keys} in the checkpoint at {@code prefix} (read in a scratch graph). */
  static List<long[]> read(String prefix, List<String> keys) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      String[] slices = new String[keys.size()];
      Arrays.fill(slices, "");
      List<Class<? extends TType>> types = new ArrayList<>();
      keys.forEach(k -> types.add(TFloat32.class));
      Restore restored = tf.train.restore(tf.constant(prefix), tf.constant(NdArrays.vectorOfObjects(
          keys.toArray(String[]::new))), tf.constant(NdArrays.vectorOfObjects(slices)), types);
      Session.Runner runner = s.runner();
      for (Operand<?> t : restored.tensors()) {
        runner.fetch(tf.shape(t, TInt64.class));
      }
      List<long[]> out = new ArrayList<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < keys.size(); i++) {
          TInt64 shape = (TInt64) r.get(i);
          long[] dims = new long[(int) shape.size()];
          for (int d = 0; d < dims.length; d++) {
            dims[d] = shape.getLong(d);
          }
          out.add(dims);
        }
      }
      return out;
    } catch (TensorFlowException e) {
      throw new IllegalArgumentException("cannot read checkpoint " + prefix + " for this model: "
          + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
