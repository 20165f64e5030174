package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The values of a model's variables, read from a session, for building the same model again with its weights
 * held in the graph ({@link ModelGraph#inferenceOnly(org.tensorflow.Graph, long, ModelGraph.Inference,
 * FrozenWeights)}): TensorFlow's "frozen graph" for inference, the same function.
 *
 * <p>Why: every resource variable costs two nodes per run (its {@code VarHandleOp}, which looks the variable up,
 * and its {@code ReadVariableOp}); a batch-1 step of a small transformer runs a few hundred nodes of tens of
 * microseconds each, so these lookups are a measurable share of it (issue 12's nineteenth round:
 * docs/benchmarks.md). Each weight becomes a {@code Const} behind a {@code PlaceholderWithDefault}: a bare
 * {@code Const} operand makes oneDNN's fused products take their cached-weight path, which ran those products
 * about twice as slow at batch 1 on the CPUs measured (as {@code TF_ONEDNN_ASSUME_FROZEN_WEIGHTS} did), and
 * the placeholder, which TF never folds, keeps the operand a plain tensor.
 *
 * <p>The model's declared layer scales ({@link ModelGraph#foldScale}) are taken into their projections' values
 * here ({@link ScaleFold}), and the frozen graph's layer scales then multiply nothing
 * ({@link ModelGraph#scaleFolded}).
 *
 * <p>Owns the tensors it read; close it once the frozen graph is built (the graph keeps its own copy).
 */
public final class FrozenWeights implements AutoCloseable {
  /** The suffix of a frozen weight's operand, the {@code PlaceholderWithDefault}: as a variable's read. */
  public static final String READ_SUFFIX = ".read";
  /** The suffix of a frozen weight's {@code Const}. */
  public static final String VALUE_SUFFIX = ".value";

  private final Map<String, TFloat32> values;
  private final Set<String> foldedScales;

  private FrozenWeights(Map<String, TFloat32> values, Set<String> foldedScales) {
    this.values = values;
    this.foldedScales = foldedScales;
  }

  /** Reads every variable of {@code model} (its {@link ModelGraph#variables()}) in one run of {@code session}. */
  public static FrozenWeights read(Session session, ModelGraph model) {
    List<ModelVariable> variables = new ArrayList<>(model.variables().values());
    if (variables.stream().anyMatch(ModelVariable::frozen)) {
      throw new IllegalArgumentException("the model's weights are frozen already");
    }
    List<ScaleFold> folds = model.scaleFolds();
    Session.Runner runner = session.runner();
    variables.forEach(v -> runner.fetch(v.value()));
    Map<String, TFloat32> read = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        TFloat32 value = (TFloat32) result.get(i);
        // a copy: the result's tensors are closed with it
        read.put(variables.get(i).path(), TFloat32.tensorOf(value.shape(), value::copyTo));
      }
      folds.forEach(fold -> fold.applyTo(read));
    } catch (RuntimeException e) {
      read.values().forEach(TFloat32::close);
      throw e;
    }
    return new FrozenWeights(read,
        folds.stream().map(fold -> fold.scale().path()).collect(Collectors.toUnmodifiableSet()));
  }

  /** Whether the scale variable {@code path} was taken into a projection's values ({@link ScaleFold}). */
  boolean folded(String path) {
    return foldedScales.contains(path);
  }

  /** The variable paths held, in the model's creation order. */
  public List<String> paths() {
    return List.copyOf(values.keySet());
  }

  /**
   * The graph's operand for variable {@code path}: its value as a constant behind a placeholder.
   *
   * @throws IllegalArgumentException when no value was read for {@code path} or its shape differs (the second
   *     build must build the same model)
   */
  Operand<TFloat32> operand(Ops tf, String opName, String path, Shape shape) {
    TFloat32 value = value(path);
    if (!value.shape().equals(shape)) {
      throw new IllegalArgumentException("frozen value of " + path + " has shape " + value.shape()
          + ", the variable " + shape);
    }
    return constant(tf, opName, value);
  }

  private TFloat32 value(String path) {
    TFloat32 value = values.get(path);
    if (value == null) {
      throw new IllegalArgumentException("no frozen value for variable " + path
          + ": the graph being built is not the model the weights were read from");
    }
    return value;
  }

  /** {@code value} as a constant behind a placeholder (the graph copies it), named as a variable's value and read. */
  private static Operand<TFloat32> constant(Ops tf, String opName, TFloat32 value) {
    // named as a variable's read and value, so that a profile's layer attribution finds the layer
    return tf.withName(opName + READ_SUFFIX).placeholderWithDefault(
        tf.withName(opName + VALUE_SUFFIX).constantOf(value), value.shape());
  }

  /**
   * The graph's operand for the entries {@code indices} along {@code axis} of variable {@code path} (a kernel's
   * output columns or input rows, a bias's entries): a constant of those values behind a placeholder, as
   * {@link #operand}.
   */
  Operand<TFloat32> part(Ops tf, String opName, String path, int axis, long[] indices) {
    TFloat32 value = value(path);
    long[] dims = value.shape().asArray();
    // the value as [outer, dims[axis], inner], row-major: entry k of the axis is a block of `inner` values in each
    // of the `outer` slabs
    long outer = 1;
    for (int i = 0; i < axis; i++) {
      outer *= dims[i];
    }
    int inner = Math.toIntExact(value.size() / outer / dims[axis]);
    float[] all = new float[Math.toIntExact(value.size())];
    value.copyTo(DataBuffers.of(all, false, false));
    float[] taken = new float[Math.toIntExact(outer * indices.length * inner)];
    for (int k = 0; k < indices.length; k++) {
      if (indices[k] < 0 || indices[k] >= dims[axis]) {
        throw new IllegalArgumentException("index " + indices[k] + " is outside axis " + axis + " of " + path);
      }
      for (long o = 0; o < outer; o++) {
        System.arraycopy(all, (int) ((o * dims[axis] + indices[k]) * inner), taken,
            (int) ((o * indices.length + k) * inner), inner);
      }
    }
    long[] partDims = dims.clone();
    partDims[axis] = indices.length;
    try (TFloat32 part = TFloat32.tensorOf(Shape.of(partDims), DataBuffers.of(taken, true, false))) {
      return constant(tf, opName, part);
    }
  }

  @Override
  public void close() {
    values.values().forEach(TFloat32::close);
  }
}
