package org.stmzoo.recipes.augment;

import org.stmzoo.recipes.FeedTensors;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The batch-level augmentation inside the training graph, in timm/DeiT order: random erasing of each
 * (normalised) image with per-pixel N(0, 1) values, then Mixup or CutMix of the batch with its reverse, and the
 * labels turned into smoothed one-hot targets blended with the same lambda ({@code mixup_target}). The random
 * decisions come in through the placeholders from an {@link AugmentDraw}; the pixel work runs in the graph.
 */
public final class BatchAugmentation {
  private final Placeholder<TFloat32> imageLambda;
  private final Placeholder<TFloat32> labelLambda;
  private final Placeholder<TInt32> pasteBox;
  private final Placeholder<TInt32> eraseBoxes;
  private final Placeholder<TInt64> noiseSeed;
  private final Operand<TFloat32> images;
  private final Operand<TFloat32> targets;

  /**
   * @param tf ops under the augmentation's own name scope
   * @param input normalised NHWC images with static height and width
   * @param labels class indices {@code [batch]}
   */
  public BatchAugmentation(Ops tf, Operand<TFloat32> input, Operand<TInt32> labels, int numClasses,
      float smoothing) {
    Shape shape = input.shape();
    int height = (int) shape.get(1);
    int width = (int) shape.get(2);
    imageLambda = tf.withName("image_lambda").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    labelLambda = tf.withName("label_lambda").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    pasteBox = tf.withName("paste_box").placeholder(TInt32.class, Placeholder.shape(Shape.of(4)));
    eraseBoxes = tf.withName("erase_boxes").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 4)));
    noiseSeed = tf.withName("noise_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

    Operand<TInt32> rows = tf.range(tf.constant(0), tf.constant(height), tf.constant(1));
    Operand<TInt32> cols = tf.range(tf.constant(0), tf.constant(width), tf.constant(1));

    // Random erasing: one rectangle per image, and only the erased images (a quarter at DeiT's probability) get
    // noise: drawing N(0, 1) for every pixel of the batch was the augmentation's largest op (60 ms of a training
    // step at batch 32, 224x224, on one thread while the replicas waited).
    Operand<TInt64> erasedRows = tf.where(tf.math.greater(
        tf.reshape(column(tf, eraseBoxes, 1), tf.constant(new int[] {-1})), tf.constant(0)));
    Operand<TInt32> erasedBoxes = tf.gatherNd(eraseBoxes, erasedRows);
    Operand<TInt32> top = column(tf, erasedBoxes, 0);
    Operand<TInt32> left = column(tf, erasedBoxes, 2);
    Operand<TBool> eraseRows = within(tf, tf.expandDims(rows, tf.constant(0)), top,
        tf.math.add(top, column(tf, erasedBoxes, 1)));
    Operand<TBool> eraseCols = within(tf, tf.expandDims(cols, tf.constant(0)), left,
        tf.math.add(left, column(tf, erasedBoxes, 3)));
    Operand<TBool> eraseMask = rectangle(tf, eraseRows, eraseCols, height, width);
    Operand<TFloat32> erasedImages = tf.gatherNd(input, erasedRows);
    Operand<TFloat32> noise = tf.random.statelessRandomNormal(tf.shape(erasedImages), noiseSeed, TFloat32.class);
    Operand<TFloat32> erased = tf.tensorScatterNdUpdate(input, erasedRows,
        tf.select(eraseMask, noise, erasedImages));

    // Mixup blends with the reversed batch; CutMix pastes the reversed batch's box. Both as one blend
    // erased * a + mirrored * b with per-pixel weights a = lambda (1 - box), b = (1 - lambda)(1 - box) + box, which
    // are exactly lambda, 1 - lambda for Mixup (no box) and 1 - box, box for CutMix (lambda 1): the same values as
    // mixing first and pasting after, in three passes over the batch instead of eight.
    Operand<TFloat32> mirrored = tf.reverse(erased, tf.constant(new int[] {0}));
    Operand<TBool> pasteRows = within(tf, rows, element(tf, pasteBox, 0), element(tf, pasteBox, 1));
    Operand<TBool> pasteCols = within(tf, cols, element(tf, pasteBox, 2), element(tf, pasteBox, 3));
    Operand<TFloat32> pasteMask = tf.dtypes.cast(rectangle(tf, pasteRows, pasteCols, height, width), TFloat32.class);
    Operand<TFloat32> kept = tf.math.sub(tf.constant(1f), pasteMask);
    Operand<TFloat32> ownWeight = tf.math.mul(kept, imageLambda);
    Operand<TFloat32> mirrorWeight = tf.math.add(tf.math.mul(kept, tf.math.sub(tf.constant(1f), imageLambda)),
        pasteMask);
    images = tf.math.add(tf.math.mul(erased, ownWeight), tf.math.mul(mirrored, mirrorWeight));

    float off = smoothing / numClasses;
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(numClasses), tf.constant(1f - smoothing + off),
        tf.constant(off));
    Operand<TFloat32> mirroredHot = tf.reverse(oneHot, tf.constant(new int[] {0}));
    targets = tf.math.add(tf.math.mul(oneHot, labelLambda),
        tf.math.mul(mirroredHot, tf.math.sub(tf.constant(1f), labelLambda)));
  }

  /** The augmented images, to feed the model. */
  public Operand<TFloat32> images() {
    return images;
  }

  /** Soft targets {@code [batch, classes]}, each row summing to 1. */
  public Operand<TFloat32> targets() {
    return targets;
  }

  /** Adds this draw's feeds to a runner. */
  public Session.Runner feed(Session.Runner runner, AugmentDraw draw, FeedTensors owned) {
    return runner
        .feed(imageLambda, owned.add(TFloat32.scalarOf(draw.imageLambda())))
        .feed(labelLambda, owned.add(TFloat32.scalarOf(draw.labelLambda())))
        .feed(pasteBox, owned.add(TInt32.vectorOf(draw.pasteBox())))
        .feed(eraseBoxes, owned.add(TInt32.tensorOf(Shape.of(draw.eraseBoxes().length / 4, 4),
            org.tensorflow.ndarray.buffer.DataBuffers.of(draw.eraseBoxes(), true, false))))
        .feed(noiseSeed, owned.add(TInt64.vectorOf(draw.noiseSeed())));
  }

  private static Operand<TInt32> column(Ops tf, Operand<TInt32> boxes, int index) {
    // [batch, 1], so that it broadcasts against a [1, size] range.
    return tf.slice(boxes, tf.constant(new int[] {0, index}), tf.constant(new int[] {-1, 1}));
  }

  private static Operand<TInt32> element(Ops tf, Operand<TInt32> vector, int index) {
    return tf.reshape(tf.slice(vector, tf.constant(new int[] {index}), tf.constant(new int[] {1})),
        tf.constant(new int[0]));
  }

  /** {@code low <= positions < high}, broadcasting. */
  private static Operand<TBool> within(Ops tf, Operand<TInt32> positions, Operand<TInt32> low,
      Operand<TInt32> high) {
    return tf.math.logicalAnd(tf.math.greaterEqual(positions, low), tf.math.less(positions, high));
  }

  /**
   * {@code rows[n, i] AND cols[n, j]} as {@code [n, H, W, 1]}, from rows {@code [n, H]} and cols {@code [n, W]}
   * (or {@code [H]} and {@code [W]}: n = 1).
   */
  private static Operand<TBool> rectangle(Ops tf, Operand<TBool> rows, Operand<TBool> cols, int height, int width) {
    return tf.math.logicalAnd(tf.reshape(rows, tf.constant(new int[] {-1, height, 1, 1})),
        tf.reshape(cols, tf.constant(new int[] {-1, 1, width, 1})));
  }
}
