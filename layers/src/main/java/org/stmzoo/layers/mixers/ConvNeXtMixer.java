package org.stmzoo.layers.mixers;

import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Padding;
import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * U-ConvNeXt's STM (UnifiedConvNeXtBlock): {@code 1x1 conv -> kxk depthwise conv -> 1x1 conv}, all with bias
 * and no activation between. Variables {@code input_proj}, {@code dwconv}, {@code output_proj}.
 */
public final class ConvNeXtMixer implements BandedLayer {
  public record Config(int dim, int kernelSize) {}

  private final Ops tf;
  private final int halo;
  private final Conv2D inputProj;
  private final Conv2D depthwise;
  private final Conv2D outputProj;

  public ConvNeXtMixer(LayerScope scope, Config config) {
    int dim = config.dim();
    int k = config.kernelSize();
    this.tf = scope.tf();
    this.halo = k / 2;
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
   * only at the map's top and bottom.
   */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    for (Operand<TFloat32> band : bands) {
      if (Shapes.dim(band, 1) < halo) {
        return MapBands.split(tf, call(MapBands.join(tf, bands), training), bands.size());
      }
    }
    List<Operand<TFloat32>> projected = MapBands.each(bands, b -> inputProj.call(b, training));
    List<Operand<TFloat32>> out = new ArrayList<>(bands.size());
    int last = bands.size() - 1;
    for (int i = 0; i <= last; i++) {
      Operand<TFloat32> band = projected.get(i);
      List<Operand<TFloat32>> rows = new ArrayList<>(3);
      if (i > 0) {
        Operand<TFloat32> above = projected.get(i - 1);
        int height = Shapes.dim(above, 1);
        rows.add(MapBands.rows(tf, above, height - halo, height));
      }
      rows.add(band);
      if (i < last) {
        rows.add(MapBands.rows(tf, projected.get(i + 1), 0, halo));
      }
      Operand<TFloat32> extended = rows.size() == 1 ? band : tf.concat(rows, tf.constant(1));
      Padding edges = new Padding(i == 0 ? halo : 0, i == last ? halo : 0, halo, halo, false);
      out.add(outputProj.call(depthwise.call(extended, edges), training));
    }
    return out;
  }
}
