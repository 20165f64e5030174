package org.stmzoo.zoo.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Images/s of a model on random data. {@code train} runs forward, backward and an SGD-with-momentum-free
 * update of every trainable variable plus the state updates in one session run; the full DeiT recipe step
 * (AdamW, EMA, in-graph augmentation) lives in the recipes module.
 */
public final class ThroughputBenchmark {
  public enum Mode { INFER, TRAIN }

  public record Result(String model, Mode mode, int batch, int imageSize, int steps, double imagesPerSecond,
      double msPerStep, long peakResidentMiB, boolean xla) {}

  private ThroughputBenchmark() {}

  public static Result run(ModelEntry entry, ModelOptions options, Mode mode, int batch, int steps, int warmup,
      int threads, boolean xla) {
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, graph, 0L, -1, mode == Mode.INFER);
      Ops tf = built.model().tf();
      Placeholder<TInt32> labels = tf.withName("labels").placeholder(TInt32.class);
      List<Op> targets = new ArrayList<>();
      Operand<TFloat32> fetch = built.output().logits();
      if (mode == Mode.TRAIN) {
        Operand<TFloat32> logits = built.output().logits();
        // Dense targets: TF has a C++ gradient for SoftmaxCrossEntropyWithLogits, not for the sparse op.
        Operand<TFloat32> targets1h = tf.oneHot(labels, tf.constant(options.numClasses()), tf.constant(1f),
            tf.constant(0f));
        Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, targets1h).loss(),
            tf.constant(0));
        List<ModelVariable> vars = built.model().trainableVariables();
        Output<?>[] xs = vars.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new);
        Output<?>[] grads = graph.addGradients(loss.asOutput(), xs);
        Operand<TFloat32> lr = tf.constant(1e-4f);
        for (int i = 0; i < vars.size(); i++) {
          if (grads[i] == null) {
            throw new IllegalStateException("no gradient for " + vars.get(i).path());
          }
          @SuppressWarnings("unchecked")
          Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
          targets.add(tf.assignSubVariableOp(vars.get(i).handle(), tf.math.mul(lr, g)));
        }
        targets.addAll(built.model().stateUpdates());
        fetch = loss;
      }
      try (Session session = new Session(graph, SessionConfigs.of(threads, xla))) {
        session.run(built.model().initializer());
        Random random = new Random(0);
        int s = options.imageSize();
        float[] pixels = new float[batch * s * s * options.inChannels()];
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = (float) random.nextGaussian();
        }
        int[] labelValues = new int[batch];
        for (int i = 0; i < batch; i++) {
          labelValues[i] = random.nextInt(options.numClasses());
        }
        try (TFloat32 images = TFloat32.tensorOf(Shape.of(batch, s, s, options.inChannels()),
                DataBuffers.of(pixels, true, false));
             TInt32 labelTensor = TInt32.vectorOf(labelValues);
             TBool training = TBool.scalarOf(mode == Mode.TRAIN)) {
          long start = 0;
          for (int step = 0; step < warmup + steps; step++) {
            if (step == warmup) {
              start = System.nanoTime();
            }
            Session.Runner runner = session.runner().feed(built.images(), images).fetch(fetch);
            if (mode == Mode.TRAIN) {
              runner.feed(labels, labelTensor).feed(built.model().training(), training);
              targets.forEach(runner::addTarget);
            }
            runner.run().close();
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          return new Result(entry.name(), mode, batch, s, steps, batch * steps / seconds, 1000 * seconds / steps,
              PeakMemory.peakResidentMiB(), xla);
        }
      }
    }
  }
}
