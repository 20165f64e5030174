package org.stmzoo.layers.core;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A layer on NHWC maps that can also run on a map cut into horizontal bands ({@link MapBands}): the same function
 * as {@link #call} on the joined map, given and returned as bands of the same heights. Position-wise parts (norms,
 * MLPs, residuals) run on each band alone; a spatial mixer exchanges only what it needs across bands (a few halo
 * rows, the reduced keys), so a batch-1 graph becomes independent chains that TF's inter-op threads run at once.
 * Inference only: a per-sample random draw (drop path) would be drawn once per band.
 */
public interface BandedLayer extends Layer {
  List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training);

  /** Whether {@link #callBands} is available (a composite takes bands only when all its parts do). */
  default boolean takesBands() {
    return true;
  }

  /**
   * Whether {@link #callBands} also holds for bands of different heights ({@link MapBands#splitNearlyEvenly}); a
   * layer whose band form needs equal bands (windows, strides that must line up) says no, and runs such bands
   * joined.
   */
  default boolean takesUnevenBands() {
    return false;
  }
}
