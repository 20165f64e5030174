package org.stmzoo.layers.unified;

import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;

/** Builds the spatial token mixer (STM) of one unified block: NHWC {@code [B, H, W, C]} in and out. */
@FunctionalInterface
public interface MixerFactory {
  Layer create(LayerScope scope, BlockFactory.BlockContext context);
}
