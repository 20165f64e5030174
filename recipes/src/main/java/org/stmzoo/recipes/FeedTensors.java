package org.stmzoo.recipes;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Tensor;

/** Tensors fed to one {@code session.run}, closed together after it. */
public final class FeedTensors implements AutoCloseable {
  private final List<Tensor> tensors = new ArrayList<>();

  public <T extends Tensor> T add(T tensor) {
    tensors.add(tensor);
    return tensor;
  }

  @Override
  public void close() {
    tensors.forEach(Tensor::close);
    tensors.clear();
  }
}
