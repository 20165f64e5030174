package org.stmzoo.layers.unified;

import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;

/**
 * Builds block {@code index} of stage {@code stage} of the unified skeleton, on NHWC maps of
 * {@code height x width x dim}. Most STMs use {@link UnifiedBlock} with their mixer; an STM whose reference
 * block differs (a stage-level position embedding, say) supplies its own factory.
 */
@FunctionalInterface
public interface BlockFactory {
  Layer create(LayerScope scope, BlockContext context);

  /**
   * Where a block sits. {@code height}/{@code width} are the feature-map size at the built image size.
   *
   * @param globalIndex index over all blocks of the network (the drop-path schedule's position)
   */
  record BlockContext(int stage, int index, int globalIndex, int dim, int height, int width, float dropPath,
      float layerScaleInit) {}
}
