package org.stmzoo.layers.shiftvit;

import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * ShiftViT's downsampling between stages: GN1 over {@code dim}, then a 2x2 stride-2 convolution without bias
 * to {@code 2 * dim} (halves H and W), in a graph with row streams as that many bands of output rows
 * ({@link Conv2D#callInOutputBands}). Variables {@code norm/gamma|beta}, {@code reduction/kernel}.
 */
public final class PatchMerging implements Layer {
  private final Layer norm;
  private final Conv2D reduction;
  private final int rowStreams;

  public PatchMerging(LayerScope scope, int dim) {
    this.norm = ShiftVitNetwork.groupNorm1(scope.child("norm"), dim);
    this.reduction = new Conv2D(scope.child("reduction"), Conv2D.Config.of(dim, 2 * dim, 2, 2, Padding.valid(), false));
    this.rowStreams = scope.model().rowStreams();
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return reduction.callInOutputBands(norm.call(input, training), rowStreams);
  }
}
