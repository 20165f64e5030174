package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.Preprocessing;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The serving graph's outputs on a classifier whose logits are fixed. */
class ServingGraphTest {
  private static final int SIZE = 8;
  private static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f", "g");

  @Test
  void topClassesRankTheLogitsWhereTheirProbabilitiesRoundToATie() {
    // softmax gives class 0 probability 1 and every other class exactly 0 (exp underflows in float): ranked by
    // probability, the six zeros tie and come in index order; ranked by logit, as ExportModel.classify does, not
    float[] logits = {100f, -300f, -200f, -250f, -100f, -201f, -400f};
    try (Graph graph = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(graph, 0L);
      Ops tf = model.tf();
      ServingGraph serving = ServingGraph.build(model, (images, training) -> {
        Operand<TInt32> batch = tf.stridedSlice(tf.shape(images), Indices.slice(0, 1));
        Operand<TFloat32> rows = tf.tile(tf.constant(new float[][] {logits}),
            tf.concat(List.of(batch, tf.constant(new int[] {1})), tf.constant(0)));
        return ClassifierOutput.of(rows, tf.math.mean(images, tf.constant(new int[] {1, 2})));
      }, new ImagePipeline(SIZE, Preprocessing.imagenet()), NAMES);
      try (Session session = new Session(graph);
          TFloat32 images = TFloat32.tensorOf(Shape.of(1, SIZE, SIZE, 3));
          Result result = session.runner().feed(serving.images(), images).fetch(serving.probabilities())
              .fetch(serving.classes()).run()) {
        TFloat32 probabilities = (TFloat32) result.get(0);
        assertThat(probabilities.getFloat(0, 2)).isEqualTo(probabilities.getFloat(0, 5)).isZero();
        TInt32 classes = (TInt32) result.get(1);
        int[] top = new int[(int) classes.shape().get(1)];
        for (int j = 0; j < top.length; j++) {
          top[j] = classes.getInt(0, j);
        }
        assertThat(top).containsExactly(0, 4, 2, 5, 3);
      }
    }
  }
}
