package org.stmzoo.zoo.weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Writes values into a model's variables in a running session: one placeholder and AssignVariableOp each. */
public final class VariableAssigner {
  private VariableAssigner() {}

  /** Assigns {@code values} (stmzoo layout, by variable path) in one session run. */
  public static void assign(Session session, ModelGraph model, Map<String, RawTensor> values) {
    Ops tf = model.tf().withSubScope("import");
    Session.Runner runner = session.runner();
    List<Tensor> fed = new ArrayList<>();
    try {
      for (Map.Entry<String, RawTensor> e : values.entrySet()) {
        ModelVariable v = model.variables().get(e.getKey());
        if (v == null) {
          throw new IllegalArgumentException("the model has no variable " + e.getKey());
        }
        Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(v.shape()));
        runner.addTarget(tf.assignVariableOp(v.handle(), value));
        TFloat32 tensor = TFloat32.tensorOf(Shape.of(e.getValue().shape()), DataBuffers.of(e.getValue().values()));
        fed.add(tensor);
        runner.feed(value, tensor);
      }
      runner.run();
    } finally {
      fed.forEach(Tensor::close);
    }
  }
}
