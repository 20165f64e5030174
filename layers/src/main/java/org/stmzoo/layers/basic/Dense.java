package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.positive;

import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Linear layer on the last axis of any rank. Variables: {@code kernel [in, out]} (PyTorch's weight transposed)
 * and {@code bias [out]}.
 */
public final class Dense implements Layer, EndsInProjection {
  public record Config(int inFeatures, int outFeatures, boolean bias, Initializer kernelInit, Initializer biasInit) {
    public Config {
      positive("Dense.Config.inFeatures", inFeatures);
      positive("Dense.Config.outFeatures", outFeatures);
    }

    /** timm's default for transformer Linear layers: trunc normal std 0.02, zero bias. */
    public static Config of(int in, int out, boolean bias) {
      return new Config(in, out, bias, Initializer.truncatedNormal(0.02f), Initializer.zeros());
    }

    /** PyTorch's default nn.Linear init, for models that do not re-initialise it. */
    public static Config torchDefault(int in, int out, boolean bias) {
      return new Config(in, out, bias, Initializer.torchDefault(in), Initializer.torchDefault(in));
    }
  }

  private final Config config;
  private final Ops tf;
  private final ModelGraph model;
  private final ModelVariable kernel;
  private final ModelVariable bias;

  public Dense(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    this.model = scope.model();
    this.kernel = scope.variable("kernel", Shape.of(config.inFeatures(), config.outFeatures()),
        config.kernelInit(), VariableRole.KERNEL);
    this.bias = config.bias()
        ? scope.variable("bias", Shape.of(config.outFeatures()), config.biasInit(), VariableRole.BIAS)
        : null;
  }

  public Dense(LayerScope scope, int in, int out, boolean bias) {
    this(scope, Config.of(in, out, bias));
  }

  public Config config() {
    return config;
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    Shape shape = input.shape();
    int rank = shape.numDimensions();
    if (Shapes.dim(input, -1) != config.inFeatures()) {
      throw new IllegalArgumentException("Dense expects " + config.inFeatures() + " input features, got " + shape);
    }
    Operand<TFloat32> flat = rank == 2 ? input : tf.reshape(input, tf.constant(new long[] {-1, config.inFeatures()}));
    // the weights as the call reads them: with a layer scale folded in where it is inference (ModelGraph#weight)
    Operand<TFloat32> y = withBias(tf.linalg.matMul(flat, model.weight(kernel, training)),
        bias == null ? null : model.weight(bias, training));
    if (rank == 2) {
      return y;
    }
    return Shapes.reshapeBatchLike(tf, y, input, config.outFeatures());
  }

  /**
   * This layer on rows {@code [B, in]}, its product computed as {@code parts} products over consecutive runs of the
   * input features (a band of the kernel's rows each, which a slice along the kernel's outer axis takes without a
   * copy), summed, then the bias: the same function up to the order of the sum. For a product with one row, whose
   * time is reading the kernel (the classifiers here: 0.8 MB to 3 MB): {@code parts} independent ops that TF's
   * inter-op threads run at once, each reading its share. Without a training switch, so not for a layer a layer
   * scale is folded into ({@link ModelGraph#unscaledWeight}).
   */
  public Operand<TFloat32> callSplitByInputs(Operand<TFloat32> input, int parts) {
    requireRows(input, config.inFeatures());
    int n = Math.min(parts, config.inFeatures());
    Operand<TFloat32> weights = model.unscaledWeight(kernel);
    Operand<TFloat32> biasValue = bias == null ? null : model.unscaledWeight(bias);
    if (n <= 1) {
      return withBias(tf.linalg.matMul(input, weights), biasValue);
    }
    List<Operand<TFloat32>> products = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long from = (long) config.inFeatures() * i / n;
      long to = (long) config.inFeatures() * (i + 1) / n;
      products.add(tf.linalg.matMul(Slices.range(tf, input, 1, from, to),
          Slices.range(tf, weights, 0, from, to)));
    }
    return withBias(tf.math.addN(products), biasValue);
  }

  /**
   * This layer's outputs {@code outputs} alone, on rows {@code [R, in]}: the product with those columns of the
   * kernel, plus their bias. One chain's share where a layer's outputs are shared out among chains (a block's heads
   * or hidden units, {@link ModelGraph#weightPart}); {@code share} names the part of the weights it reads.
   */
  public Operand<TFloat32> callOutputs(Operand<TFloat32> rows, Operand<TBool> training, long[] outputs,
      String share) {
    requireRows(rows, config.inFeatures());
    return withBias(tf.linalg.matMul(rows, model.weightPart(kernel, training, 1, outputs, share)),
        bias == null ? null : model.weightPart(bias, training, 0, outputs, share));
  }

  /**
   * This layer's term over its input features {@code inputs}: rows {@code [R, inputs.length]} of those features
   * times those rows of the kernel, plus the bias where {@code withBias}. Terms over shares that cover every input
   * feature once, one of them with the bias, sum to the layer's output (up to the order of the sum).
   */
  public Operand<TFloat32> callInputs(Operand<TFloat32> rows, Operand<TBool> training, long[] inputs,
      boolean withBias, String share) {
    requireRows(rows, inputs.length);
    return withBias(tf.linalg.matMul(rows, model.weightPart(kernel, training, 0, inputs, share)),
        bias == null || !withBias ? null : model.weight(bias, training));
  }

  private static void requireRows(Operand<TFloat32> rows, long features) {
    if (rows.shape().numDimensions() != 2 || Shapes.dim(rows, 1) != features) {
      throw new IllegalArgumentException("expects rows of " + features + " features, got " + rows.shape());
    }
  }

  /** {@code y} plus {@code biasValue}, if any. */
  private Operand<TFloat32> withBias(Operand<TFloat32> y, Operand<TFloat32> biasValue) {
    // BiasAdd, not Add: Grappler's remapper fuses MatMul + BiasAdd (+ GELU, see Mlp) into one kernel.
    return biasValue == null ? y : tf.nn.biasAdd(y, biasValue);
  }

  /** This layer's kernel {@code [in, out]} and bias. */
  @Override
  public Projection outputProjection() {
    return new Projection(kernel, bias);
  }
}
