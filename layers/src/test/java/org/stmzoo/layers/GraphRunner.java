package org.stmzoo.layers;

import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Test helper: a model graph plus a session, with values set and read as flat float arrays. */
public final class GraphRunner implements AutoCloseable {
  public final Graph graph = new Graph();
  public final ModelGraph model = ModelGraph.create(graph, 7L);
  private Session session;

  public Operand<TFloat32> constant(float[] values, long... shape) {
    return model.tf().constant(Shape.of(shape), DataBuffers.of(values));
  }

  /** Initializes all variables (first call) and returns the session. */
  public Session session() {
    if (session == null) {
      session = new Session(graph);
      session.run(model.initializer());
    }
    return session;
  }

  public void set(ModelVariable variable, float... values) {
    session().run(model.tf().assignVariableOp(variable.handle(),
        model.tf().constant(variable.shape(), DataBuffers.of(values))));
  }

  public float[] eval(Operand<TFloat32> x) {
    return eval(x, false);
  }

  public float[] eval(Operand<TFloat32> x, boolean training) {
    try (TBool t = TBool.scalarOf(training);
         TFloat32 out = (TFloat32) session().runner().feed(model.training(), t).fetch(x).run().get(0)) {
      float[] values = new float[(int) out.shape().size()];
      out.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  public float[] value(ModelVariable v) {
    return eval(v.value());
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
