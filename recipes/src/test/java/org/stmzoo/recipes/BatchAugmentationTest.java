package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.stmzoo.recipes.augment.AugmentDraw;
import org.stmzoo.recipes.augment.AugmentSampler;
import org.stmzoo.recipes.augment.BatchAugmentation;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class BatchAugmentationTest {
  private static final int B = 4;
  private static final int H = 8;
  private static final int W = 6;
  private static final int C = 3;
  private static final int K = 5;

  /** Image i is the constant i + 1, so every output pixel tells where it came from. */
  private static float[] constantImages() {
    float[] x = new float[B * H * W * C];
    for (int i = 0; i < x.length; i++) {
      x[i] = i / (H * W * C) + 1;
    }
    return x;
  }

  private record Output(float[] images, float[] targets) {}

  private static Output run(AugmentDraw draw, float smoothing) {
    try (Graph g = new Graph(); Session s = new Session(g); FeedTensors feeds = new FeedTensors()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> images = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, H, W, C)));
      Placeholder<TInt32> labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      BatchAugmentation aug = new BatchAugmentation(tf, images, labels, K, smoothing);
      Session.Runner runner = s.runner()
          .feed(images, feeds.add(TFloat32.tensorOf(Shape.of(B, H, W, C), DataBuffers.of(constantImages(), true, false))))
          .feed(labels, feeds.add(TInt32.vectorOf(0, 1, 2, 3)));
      aug.feed(runner, draw, feeds);
      try (Result r = runner.fetch(aug.images()).fetch(aug.targets()).run()) {
        float[] x = new float[B * H * W * C];
        float[] t = new float[B * K];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(x, false, false));
        ((TFloat32) r.get(1)).copyTo(DataBuffers.of(t, false, false));
        return new Output(x, t);
      }
    }
  }

  private static float pixel(float[] x, int b, int y, int xx, int c) {
    return x[((b * H + y) * W + xx) * C + c];
  }

  @Test
  void mixupBlendsWithTheReversedBatchAndItsLabels() {
    float lam = 0.7f;
    Output out = run(new AugmentDraw(lam, lam, new int[4], new int[B * 4], new long[] {1, 2}), 0.1f);
    for (int b = 0; b < B; b++) {
      float expected = lam * (b + 1) + (1 - lam) * (B - b);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          for (int c = 0; c < C; c++) {
            assertThat(pixel(out.images(), b, y, x, c)).isCloseTo(expected, within(1e-5f));
          }
        }
      }
      double rowSum = 0;
      for (int k = 0; k < K; k++) {
        float t = out.targets()[b * K + k];
        assertThat(t).isBetween(0f, 1f);
        rowSum += t;
      }
      assertThat(rowSum).isCloseTo(1.0, within(1e-5));
      float off = 0.1f / K;
      float on = 1 - 0.1f + off;
      // own label b and mirrored label B-1-b
      assertThat(out.targets()[b * K + b]).isCloseTo(lam * on + (1 - lam) * (b == B - 1 - b ? on : off), within(1e-6f));
      assertThat(out.targets()[b * K + 4]).isCloseTo(off, within(1e-6f));
    }
  }

  @Test
  void cutmixPastesTheBoxAndTheLabelWeightIsThePastedArea() {
    int[] box = {2, 6, 1, 4}; // 4 x 3 of 8 x 6
    float labelLambda = 1 - 12f / 48;
    Output out = run(new AugmentDraw(1f, labelLambda, box, new int[B * 4], new long[] {1, 2}), 0f);
    for (int b = 0; b < B; b++) {
      int pasted = 0;
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          float v = pixel(out.images(), b, y, x, 0);
          if (v == B - b) {
            pasted++;
          } else {
            assertThat(v).isEqualTo(b + 1f);
          }
        }
      }
      assertThat(pasted).isEqualTo(12);
      assertThat(out.targets()[b * K + b]).isCloseTo(labelLambda, within(1e-6f));
      assertThat(out.targets()[b * K + (B - 1 - b)]).isCloseTo(1 - labelLambda, within(1e-6f));
    }
  }

  @Test
  void erasingFillsOnlyTheRectangleWithNormalNoise() {
    int[] erase = new int[B * 4];
    erase[4] = 1; // image 1: rows 1..4, cols 2..4
    erase[5] = 4;
    erase[6] = 2;
    erase[7] = 3;
    Output out = run(new AugmentDraw(1f, 1f, new int[4], erase, new long[] {7, 9}), 0f);
    double sum = 0;
    int n = 0;
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        boolean inside = y >= 1 && y < 5 && x >= 2 && x < 5;
        for (int c = 0; c < C; c++) {
          float v = pixel(out.images(), 1, y, x, c);
          if (inside) {
            sum += v;
            n++;
          } else {
            assertThat(v).isEqualTo(2f);
          }
          assertThat(pixel(out.images(), 0, y, x, c)).isEqualTo(1f);
        }
      }
    }
    // 36 N(0,1) draws: their mean is far from the original value 2.
    assertThat(Math.abs(sum / n)).isLessThan(1.0);
  }

  @Test
  void eachErasedImageGetsItsOwnRectangleAndItsOwnNoiseAndTheOthersStayAsTheyWere() {
    int[] erase = new int[B * 4];
    int[][] boxes = {null, {0, 8, 0, 6}, null, {5, 2, 1, 4}}; // image 1 whole, image 3 rows 5..6, cols 1..4
    for (int b = 0; b < B; b++) {
      if (boxes[b] != null) {
        System.arraycopy(boxes[b], 0, erase, b * 4, 4);
      }
    }
    Output out = run(new AugmentDraw(1f, 1f, new int[4], erase, new long[] {3, 5}), 0f);
    double sum = 0;
    double squares = 0;
    int n = 0;
    for (int b = 0; b < B; b++) {
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int[] box = boxes[b];
          boolean inside = box != null && y >= box[0] && y < box[0] + box[1] && x >= box[2] && x < box[2] + box[3];
          for (int c = 0; c < C; c++) {
            float v = pixel(out.images(), b, y, x, c);
            if (inside) {
              assertThat(v).isNotEqualTo(b + 1f);
              sum += v;
              squares += v * v;
              n++;
            } else {
              assertThat(v).isEqualTo(b + 1f);
            }
          }
        }
      }
    }
    assertThat(n).isEqualTo(H * W * C + 2 * 4 * C);
    // 168 draws of N(0, 1): mean within 4 standard errors of 0, variance near 1.
    assertThat(sum / n).isCloseTo(0.0, within(4 / Math.sqrt(n)));
    assertThat(squares / n - (sum / n) * (sum / n)).isBetween(0.6, 1.5);
    // Image 3's noise is not image 1's at the same pixels.
    assertThat(pixel(out.images(), 3, 5, 1, 0)).isNotEqualTo(pixel(out.images(), 1, 5, 1, 0));
  }

  @Test
  void sampledCutmixLambdaEqualsOneMinusTheClippedBoxArea() {
    AugmentSampler sampler = new AugmentSampler(0.8, 1.0, 0.5, 0.25, 32, 24, 3);
    int cutmixes = 0;
    int erased = 0;
    for (long step = 0; step < 400; step++) {
      AugmentDraw d = sampler.draw(step, 8);
      assertThat(d.labelLambda()).isBetween(0f, 1f);
      if (d.cutmix()) {
        cutmixes++;
        int[] b = d.pasteBox();
        assertThat(b[0]).isBetween(0, 32);
        assertThat(b[3]).isBetween(0, 24);
        assertThat(d.imageLambda()).isEqualTo(1f);
        // the label weight is corrected to the clipped box (timm's correct_lam); the box's own size against
        // rand_bbox is AugmentSamplerTest's
        assertThat(d.labelLambda()).isCloseTo(1 - (b[1] - b[0]) * (b[3] - b[2]) / (32f * 24), within(1e-6f));
      } else {
        assertThat(d.imageLambda()).isEqualTo(d.labelLambda());
      }
      for (int i = 0; i < 8; i++) {
        int[] e = d.eraseBoxes();
        if (e[i * 4 + 1] > 0) {
          erased++;
          assertThat(e[i * 4] + e[i * 4 + 1]).isLessThanOrEqualTo(32);
          assertThat(e[i * 4 + 2] + e[i * 4 + 3]).isLessThanOrEqualTo(24);
        }
      }
      // Same (seed, step), same draw: what makes --resume exact.
      assertThat(sampler.draw(step, 8).labelLambda()).isEqualTo(d.labelLambda());
    }
    assertThat(cutmixes).isBetween(150, 250);
    assertThat(erased / 3200.0).isCloseTo(0.25, within(0.04));
  }
}
