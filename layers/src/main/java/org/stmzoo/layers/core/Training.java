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
      org.tensorflow.proto.TensorProto value = op.attributes().getAttrValueProto("value").getTensor();
      if (value.getBoolValCount() == 1) {
        return Optional.of(value.getBoolVal(0));
      }
      if (!value.getTensorContent().isEmpty()) {
        return Optional.of(value.getTensorContent().byteAt(0) != 0);
      }
      return Optional.of(false); // a proto with no values holds zeros
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
