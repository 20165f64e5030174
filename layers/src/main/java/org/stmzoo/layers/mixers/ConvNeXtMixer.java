package org.stmzoo.layers.mixers;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveOdd;

import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Padding;
import java.util.List;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * U-ConvNeXt's STM (UnifiedConvNeXtBlock): {@code 1x1 conv -> kxk depthwise conv -> 1x1 conv}, all with bias
 * and no activation between. Variables {@code input_proj}, {@code dwconv}, {@code output_proj}.
 */
public final class ConvNeXtMixer implements BandedLayer, EndsInProjection {
  public record Config(int dim, int kernelSize) {
    public Config {
      positive("ConvNeXtMixer.Config.dim", dim);
      // the block adds the mixer's output to its input: the depthwise conv (padding k/2) must keep the map's size
      positiveOdd("ConvNeXtMixer.Config.kernelSize", kernelSize);
    }
  }

  private final Ops tf;
  private final Conv2D inputProj;
  private final Conv2D depthwise;
  private final Conv2D outputProj;

  public ConvNeXtMixer(LayerScope scope, Config config) {
    int dim = config.dim();
    int k = config.kernelSize();
    this.tf = scope.tf();
    inputProj = new Conv2D(scope.child("input_proj"), Conv2D.Config.of(dim, dim, 1, 1, Padding.valid(), true));
    depthwise = new Conv2D(scope.child("dwconv"),
        Conv2D.Config.of(dim, dim, k, 1, Padding.same(k), true).withGroups(dim));
    outputProj = new Conv2D(scope.child("output_proj"), Conv2D.Config.of(dim, dim, 1, 1, Padding.valid(), true));
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return outputProj.call(depthwise.call(inputProj.call(input, training), training), training);
  }

  /**
   * On bands: the 1x1 convolutions on each band alone; the depthwise convolution on each band extended by its
   * neighbours' {@code k/2} nearest rows (after {@code input_proj}, as the joined map would give them), zero-padded
   * only at the map's top and bottom ({@link Conv2D#callBands}).
   */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    List<Operand<TFloat32>> projected = MapBands.each(bands, b -> inputProj.call(b, training));
    List<Operand<TFloat32>> mixed = depthwise.callBands(projected)
        .orElseGet(() -> MapBands.throughJoined(tf, depthwise, projected, training));
    return MapBands.each(mixed, m -> outputProj.call(m, training));
  }

  /** Each band's depthwise halo is checked on its own height ({@link Conv2D#callBands}). */
  @Override
  public boolean takesUnevenBands() {
    return true;
  }

  /** {@code output_proj}, a 1x1 convolution. */
  @Override
  public Projection outputProjection() {
    return outputProj.outputProjection();
  }
}
