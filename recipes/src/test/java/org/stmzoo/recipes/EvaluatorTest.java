package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.datasets.pipeline.Batch;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.recipes.train.Evaluator;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The "model" passes each 1x1xC image through as its C logits, so a test writes the logits directly. */
class EvaluatorTest {
  private static final int C = 6;

  private static EvalResult evaluate(List<Batch> batches) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> images = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1, 1, C)));
      Evaluator evaluator = new Evaluator(images, tf.reshape(images, tf.constant(new long[] {-1, C})), C);
      return evaluator.evaluate(s, batches.iterator(), List.of("a", "b", "c", "d", "e", "f"));
    }
  }

  private static Batch batch(int[] labels, float... logits) {
    return new Batch(logits, labels, labels.length, 1, 1, C);
  }

  @Test
  void scoresFiniteLogits() {
    EvalResult r = evaluate(List.of(batch(new int[] {2, 0}, 0, 0, 9, 0, 0, 0, 0, 1, 2, 3, 4, 5)));
    assertThat(r.images()).isEqualTo(2);
    assertThat(r.top1()).isEqualTo(50.0);
    assertThat(r.top5()).isEqualTo(50.0); // label 0 has the lowest of six logits: outside the top five
  }

  @Test
  void nonFiniteLogitsFailNamingTheBatchAndImage() {
    float nan = Float.NaN;
    // without the check a NaN row counts as a top-5 hit, and a top-1 hit for label 0
    assertThatThrownBy(() -> evaluate(List.of(batch(new int[] {1}, 0, 5, 0, 0, 0, 0),
        batch(new int[] {0, 0}, 0, 5, 0, 0, 0, 0, nan, nan, nan, nan, nan, nan))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("batch 1, image 1")
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> evaluate(List.of(batch(new int[] {3}, 0, 0, 0, Float.POSITIVE_INFINITY, 0, 0))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("batch 0, image 0")
        .hasMessageContaining("Infinity");
  }

  @Test
  void labelsOutsideTheClassesAreRefused() {
    assertThatThrownBy(() -> evaluate(List.of(batch(new int[] {C, 0}, new float[2 * C]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 6 is outside [0, 6)");
    assertThatThrownBy(() -> evaluate(List.of(batch(new int[] {0, -1}, new float[2 * C]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image 1: label -1");
  }

  @Test
  void nothingToEvaluateFails() {
    assertThatThrownBy(() -> evaluate(Collections.emptyList()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing to evaluate");
    // a loader leaves unreadable images out of evaluation batches: batches of none of them score nothing
    assertThatThrownBy(() -> evaluate(List.of(batch(new int[0]), batch(new int[0]))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing to evaluate");
  }

  @Test
  void anEmptyBatchIsPassedOver() {
    EvalResult r = evaluate(List.of(batch(new int[0]), batch(new int[] {2}, 0, 0, 9, 0, 0, 0), batch(new int[0])));
    assertThat(r.images()).isEqualTo(1);
    assertThat(r.top1()).isEqualTo(100.0);
  }
}
