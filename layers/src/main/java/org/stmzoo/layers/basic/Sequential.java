package org.stmzoo.layers.basic;

import java.util.List;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.MapBands;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Layers applied in order. */
public record Sequential(List<Layer> layers) implements BandedLayer {
  public Sequential {
    layers = List.copyOf(layers);
  }

  public static Sequential of(Layer... layers) {
    return new Sequential(List.of(layers));
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    Operand<TFloat32> x = input;
    for (Layer layer : layers) {
      x = layer.call(x, training);
    }
    return x;
  }

  /** Takes bands when every layer does. */
  @Override
  public boolean takesBands() {
    return layers.stream().allMatch(MapBands::takesBands);
  }

  /** Takes bands of different heights when every layer does. */
  @Override
  public boolean takesUnevenBands() {
    return layers.stream().allMatch(MapBands::takesUnevenBands);
  }

  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    if (!takesBands()) {
      throw new IllegalStateException("not every layer of this sequence takes bands");
    }
    List<Operand<TFloat32>> x = bands;
    for (Layer layer : layers) {
      x = ((BandedLayer) layer).callBands(x, training);
    }
    return x;
  }
}
