package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;

import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Training;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * LayerNorm over the last axis (channels of NHWC maps, features of tokens); biased variance as PyTorch.
 * Variables {@code gamma}, {@code beta}. The references use eps 1e-6 (ConvNeXt, unified skeleton, PiT, and
 * DeiT/ViT via timm) and 1e-5 (PyTorch's default) in different places, so eps is always explicit.
 */
public final class LayerNorm implements Layer {
  public record Config(int dim, float eps) {
    public Config {
      positive("LayerNorm.Config.dim", dim);
      positiveFinite("LayerNorm.Config.eps", eps);
    }
  }

  private final Config config;
  private final Ops tf;
  private final ModelVariable gamma;
  private final ModelVariable beta;
  private final boolean fused;

  public LayerNorm(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    this.gamma = scope.variable("gamma", Shape.of(config.dim()), Initializer.ones(), VariableRole.NORM_SCALE);
    this.beta = scope.variable("beta", Shape.of(config.dim()), Initializer.zeros(), VariableRole.NORM_SHIFT);
    this.fused = scope.model().fusedLayerNorm();
  }

  public LayerNorm(LayerScope scope, int dim, float eps) {
    this(scope, new Config(dim, eps));
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    if (Shapes.dim(input, -1) != config.dim()) {
      throw new IllegalArgumentException("LayerNorm expects " + config.dim() + " features, got " + input.shape());
    }
    if (!fused) {
      return Normalization.affine(tf, input, gamma.value(), beta.value(), 0, config.eps(), training);
    }
    Operand<TFloat32> value = fusedCall(input);
    // Where the graph may be trained the fused kernel gives the forward value only (it has no gradient) and the
    // gradient is the element-wise form's rule, from the input alone.
    return Training.staticValue(training).orElse(true)
        ? Normalization.withStoredInputGradient(tf, input, gamma.value(), beta.value(), 0, config.eps(), value)
        : value;
  }

  /** The form TF fuses into oneDNN's kernel, on rows of features for maps (it takes rank 2 or 3; the reshapes share the buffer). */
  private Operand<TFloat32> fusedCall(Operand<TFloat32> input) {
    int rank = input.shape().numDimensions();
    if (rank == 2 || rank == 3) {
      return OneDnnOps.layerNorm(tf, input, gamma.value(), beta.value(), config.eps());
    }
    Operand<TFloat32> rows = tf.reshape(input, tf.constant(new long[] {-1, config.dim()}));
    return Shapes.reshapeBatchLike(tf, OneDnnOps.layerNorm(tf, rows, gamma.value(), beta.value(), config.eps()),
        input, Shapes.dim(input, -1));
  }
}
