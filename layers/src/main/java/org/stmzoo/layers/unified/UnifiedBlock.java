package org.stmzoo.layers.unified;

import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;

import java.util.Objects;
import org.stmzoo.layers.basic.DropPath;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.LayerScale;
import org.stmzoo.layers.basic.Mlp;
import java.util.List;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The unified pre-norm block on NHWC maps:
 * {@code x = x + DropPath(g1 * STM(LN(x))); x = x + DropPath(g2 * MLP(LN(x)))}.
 * Variables: {@code norm1}, {@code mixer/...}, {@code layer_scale1}, {@code norm2}, {@code mlp/fc1|fc2},
 * {@code layer_scale2}. A layer-scale init of 0 or below builds no layer scale at all (no gammas, the branches
 * added unscaled), as every STM-Evaluation block does ({@code gamma = ... if layer_scale_init_value > 0 else
 * None}; PVT's {@code else 1}).
 *
 * @param normEps LayerNorm eps of both norms (1e-6 in U-ConvNeXt, PyTorch's 1e-5 in others)
 * @param layerScaleDecay whether AdamW decays the gammas (true where the reference stores them as 4-D)
 */
public final class UnifiedBlock implements BandedLayer {
  public record Config(MixerFactory mixer, double mlpRatio, float normEps, boolean layerScaleDecay) {
    public Config {
      Objects.requireNonNull(mixer, "UnifiedBlock.Config.mixer");
      positiveFinite("UnifiedBlock.Config.mlpRatio", mlpRatio);
      positiveFinite("UnifiedBlock.Config.normEps", normEps);
    }
  }

  private final Ops tf;
  private final LayerNorm norm1;
  private final Layer mixer;
  private final Layer layerScale1;
  private final LayerNorm norm2;
  private final Mlp mlp;
  private final Layer layerScale2;
  private final DropPath dropPath;

  public UnifiedBlock(LayerScope scope, BlockFactory.BlockContext context, Config config) {
    this.tf = scope.tf();
    int dim = context.dim();
    this.norm1 = new LayerNorm(scope.child("norm1"), dim, config.normEps());
    this.mixer = config.mixer().create(scope.child("mixer"), context);
    this.layerScale1 = layerScale(scope.child("layer_scale1"), context, config, mixer);
    this.norm2 = new LayerNorm(scope.child("norm2"), dim, config.normEps());
    this.mlp = new Mlp(scope.child("mlp"), Mlp.Config.of(dim, config.mlpRatio()));
    this.layerScale2 = layerScale(scope.child("layer_scale2"), context, config, mlp);
    this.dropPath = new DropPath(scope.child("drop_path"), context.dropPath());
  }

  /**
   * The layer scale of {@code branch}: gammas initialised to {@code layerScaleInit} where it is positive, none
   * (the identity) otherwise. Where the branch ends in a projection, inference calls fold the scale into it.
   */
  private static Layer layerScale(LayerScope scope, BlockFactory.BlockContext context, Config config, Layer branch) {
    if (context.layerScaleInit() <= 0) {
      return Layer.identity();
    }
    LayerScale scale = new LayerScale(scope,
        new LayerScale.Config(context.dim(), context.layerScaleInit(), config.layerScaleDecay()));
    if (branch instanceof EndsInProjection projected) {
      scale.foldInto(projected);
    }
    return scale;
  }

  /** A factory for the skeleton: every block is a UnifiedBlock with the given mixer. */
  public static BlockFactory factory(Config config) {
    return (scope, context) -> new UnifiedBlock(scope, context, config);
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    Operand<TFloat32> mixed = layerScale1.call(mixer.call(norm1.call(input, training), training), training);
    Operand<TFloat32> x = tf.math.add(input, dropPath.call(mixed, training));
    Operand<TFloat32> mlpOut = layerScale2.call(mlp.call(norm2.call(x, training), training), training);
    return tf.math.add(x, dropPath.call(mlpOut, training));
  }

  /**
   * The same block on horizontal bands: norms, layer scales, residuals and the MLP on each band alone, the mixer
   * through {@link MapBands#call} (its own band form, or the joined map; so bands of different heights too).
   */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    List<Operand<TFloat32>> mixed = MapBands.call(tf, mixer, MapBands.each(bands, b -> norm1.call(b, training)),
        training);
    List<Operand<TFloat32>> x = MapBands.add(tf, bands,
        MapBands.each(mixed, m -> dropPath.call(layerScale1.call(m, training), training)));
    return MapBands.add(tf, x, MapBands.each(x, b -> dropPath.call(
        layerScale2.call(mlp.callUnsplit(norm2.call(b, training), training), training), training)));
  }

  @Override
  public boolean takesUnevenBands() {
    return true;
  }
}
