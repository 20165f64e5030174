package org.stmzoo.layers.core;

import java.util.Optional;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TType;

/**
 * Training/inference switching. One graph serves both: {@code training} is normally a placeholder with
 * default false. When it is a constant (inference-only graphs, e.g. exports) the unused branch is never built.
 */
public final class Training {
  private Training() {}

  /** The value of {@code training} if it is a graph constant, empty if it is decided at run time. */
  public static Optional<Boolean> staticValue(Operand<TBool> training) {
    if (training.op() instanceof GraphOperation op && "Const".equals(op.type())) {
      // the attribute comes back untyped (a RawTensor, not a TBool): read its one byte
      try (org.tensorflow.Tensor raw = op.attributes().getAttrTensor("value")) {
        return Optional.of(raw.asRawTensor().data().getByte(0) != 0);
      }
    }
    return Optional.empty();
  }

  /** {@code training ? whenTraining : whenInference}, building only the branch needed when it is static. */
  public static <T extends TType> Operand<T> select(
      Ops tf, Operand<TBool> training, Supplier<Operand<T>> whenTraining, Supplier<Operand<T>> whenInference) {
    Optional<Boolean> known = staticValue(training);
    if (known.isPresent()) {
      return known.get() ? whenTraining.get() : whenInference.get();
    }
    return tf.select(training, whenTraining.get(), whenInference.get());
  }
}
