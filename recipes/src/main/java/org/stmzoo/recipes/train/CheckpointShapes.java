package org.stmzoo.recipes.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
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
 * has the same shape is restored; the others are returned, for the caller to adapt (a position embedding for
 * another image size) or leave at their fresh initialisation (a classifier head for a different number of
 * classes, as DeiT's fine-tuning drops a mismatched head).
 */
public final class CheckpointShapes {
  private CheckpointShapes() {}

  /** A model variable whose checkpoint tensor has another shape, {@code checkpointShape}. */
  public record Mismatch(ModelVariable variable, long[] checkpointShape) {
    /** e.g. {@code head/kernel [192, 1000] vs [192, 10]}. */
    public String describe() {
      return variable.path() + " " + Arrays.toString(checkpointShape) + " vs " + variable.shape();
    }
  }

  /** Restores the matching variables into {@code session}; returns the others. */
  public static List<Mismatch> restoreMatching(Session session, ModelGraph model, List<ModelVariable> variables,
      String prefix) {
    return restoreMatching(session, model, variables, prefix, ModelVariable::path);
  }

  /** As above, each variable read from the checkpoint's tensor {@code key(variable)} (e.g. its EMA copy). */
  public static List<Mismatch> restoreMatching(Session session, ModelGraph model, List<ModelVariable> variables,
      String prefix, Function<ModelVariable, String> key) {
    List<long[]> shapes = read(prefix, variables.stream().map(key).toList());
    List<ModelVariable> matching = new ArrayList<>();
    List<Mismatch> mismatched = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      ModelVariable v = variables.get(i);
      if (Arrays.equals(shapes.get(i), v.shape().asArray())) {
        matching.add(v);
      } else {
        mismatched.add(new Mismatch(v, shapes.get(i)));
      }
    }
    if (matching.isEmpty()) {
      throw new IllegalArgumentException("no variable of " + prefix + " fits this model");
    }
    CheckpointOps.build(model, "init_checkpoint", matching, key).restore(session, prefix);
    return mismatched;
  }

  /** The shapes of the tensors {@code keys} in the checkpoint at {@code prefix} (read in a scratch graph). */
  static List<long[]> read(String prefix, List<String> keys) {
    return readEach(prefix, keys, (tf, tensor) -> tf.shape(tensor, TInt64.class), fetched -> {
      TInt64 shape = (TInt64) fetched;
      long[] dims = new long[(int) shape.size()];
      for (int d = 0; d < dims.length; d++) {
        dims[d] = shape.getLong(d);
      }
      return dims;
    });
  }

  /**
   * The values of the float tensors {@code keys} in the checkpoint at {@code prefix}, each flat in row-major
   * order (their shapes are {@link #restoreMatching}'s {@link Mismatch#checkpointShape()}).
   */
  public static List<float[]> readValues(String prefix, List<String> keys) {
    return readEach(prefix, keys, (tf, tensor) -> tensor, fetched -> {
      float[] values = new float[(int) fetched.size()];
      fetched.asRawTensor().data().asFloats().read(values);
      return values;
    });
  }

  /** Restores {@code keys} in a scratch graph and gives back {@code fetch} of each tensor, read by {@code read}. */
  private static <T> List<T> readEach(String prefix, List<String> keys,
      BiFunction<Ops, Operand<?>, Operand<?>> fetch, Function<Tensor, T> read) {
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
        runner.fetch(fetch.apply(tf, t));
      }
      List<T> out = new ArrayList<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < keys.size(); i++) {
          out.add(read.apply(r.get(i)));
        }
      }
      return out;
    } catch (TensorFlowException e) {
      throw new IllegalArgumentException("cannot read checkpoint " + prefix + " for this model: "
          + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
