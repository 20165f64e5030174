package org.stmzoo.zoo;

import java.util.List;
import java.util.Random;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Test helper: runs a built model on a fixed random batch. */
public final class ModelRunner implements AutoCloseable {
  private final BuiltModel model;
  private final Session session;
  private final TFloat32 images;

  public ModelRunner(BuiltModel model, int batch) {
    this.model = model;
    this.session = new Session(model.model().graph());
    session.run(model.model().initializer());
    int s = model.options().imageSize();
    int c = model.options().inChannels();
    float[] pixels = new float[batch * s * s * c];
    Random random = new Random(1);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    images = TFloat32.tensorOf(Shape.of(batch, s, s, c), DataBuffers.of(pixels, true, false));
  }

  public static float[] infer(BuiltModel model, int batch) {
    try (ModelRunner r = new ModelRunner(model, batch)) {
      return r.run(false);
    }
  }

  /** Gradients of a scalar (sum of squared logits) w.r.t. each variable's value; null where none. */
  public static Output<?>[] gradients(BuiltModel model, List<ModelVariable> vars) {
    Ops tf = model.model().tf();
    Operand<TFloat32> loss = tf.reduceSum(tf.math.square(model.output().logits()), tf.constant(new int[] {0, 1}));
    return model.model().graph().addGradients(loss.asOutput(),
        vars.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new));
  }

  public float[] run(boolean training) {
    return run(model.output().logits(), training);
  }

  /** Any output of the model (e.g. its features) on the batch. */
  public float[] run(Operand<TFloat32> output, boolean training) {
    try (TBool t = TBool.scalarOf(training);
         TFloat32 out = (TFloat32) session.runner().feed(model.images(), images).feed(model.model().training(), t)
             .fetch(output).run().get(0)) {
      return toArray(out);
    }
  }

  public void runStateUpdates(boolean training) {
    try (TBool t = TBool.scalarOf(training)) {
      Session.Runner runner = session.runner().feed(model.images(), images).feed(model.model().training(), t);
      model.model().stateUpdates().forEach(runner::addTarget);
      runner.run();
    }
  }

  /** Sets a variable (e.g. to tie two heads in a test). */
  public void assign(String path, float[] values) {
    ModelVariable v = model.model().variables().get(path);
    try (TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false))) {
      Ops tf = model.model().tf();
      session.runner().addTarget(tf.assignVariableOp(v.handle(), tf.constant(t))).run();
    }
  }

  public float[] read(String path) {
    ModelVariable v = model.model().variables().get(path);
    try (TFloat32 out = (TFloat32) session.runner().fetch(v.value()).run().get(0)) {
      return toArray(out);
    }
  }

  static float[] toArray(TFloat32 t) {
    float[] values = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(values, false, false));
    return values;
  }

  @Override
  public void close() {
    images.close();
    session.close();
  }
}
