package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A classifier applied to a batch as {@link ModelGraph#batchStreams()} parts: the images are cut along the batch
 * axis ({@link RowStreams#split}), each part goes through its own copy of the network's ops (the same variables),
 * and the outputs are concatenated in order. Images are independent in inference, so the function is the same.
 *
 * <p>Why: with one thread per op, a graph of {@code n} chains keeps {@code n} cores busy. Row streams and bands
 * ({@link ModelGraph.Inference#rowStreams()}) make those chains inside one image, which costs joins (every
 * attention block needs all keys) and some duplicated work (halo rows, twice the small ops); chains of whole
 * images need neither. Batch 32 on 2 cores, one chain per image half against two token/band chains: deit-tiny
 * 100 -> 106 img/s, u-convnext-micro 133 -> 158, u-pvt-micro 126 -> 147 (docs/benchmarks.md, ninth round).
 *
 * <p>No part is ever empty: the batch is padded with zero images to a multiple of the part count (at least one
 * image per part) and the outputs are cut back to the batch. An empty part would fail in oneDNN's convolution,
 * which answers an empty batch with a wrongly shaped output. The padding adds no time on the critical path (the
 * largest part has {@code ceil(batch / parts)} images either way); it only keeps an otherwise idle core busy.
 */
public final class BatchStreams {
  private BatchStreams() {}

  /** {@code classifier.call(images, training)} on the batch cut into {@code model}'s batch streams. */
  public static ClassifierOutput call(ModelGraph model, ImageClassifier classifier, Operand<TFloat32> images) {
    int parts = model.batchStreams();
    if (parts == 1) {
      return classifier.call(images, model.training());
    }
    Ops tf = model.tf();
    int rank = images.shape().numDimensions();
    Operand<TInt32> batch = Shapes.batchSize(tf, images);
    Operand<TInt32> perPart = tf.math.maximum(
        tf.math.floorDiv(tf.math.add(batch, tf.constant(new int[] {parts - 1})), tf.constant(new int[] {parts})),
        tf.constant(new int[] {1}));
    Operand<TInt32> padding = tf.math.sub(tf.math.mul(perPart, tf.constant(new int[] {parts})), batch);
    Operand<TInt32> paddings = tf.reshape(
        tf.concat(List.of(tf.constant(new int[] {0}), padding, tf.constant(new int[2 * (rank - 1)])), tf.constant(0)),
        tf.constant(new int[] {rank, 2}));
    // Pad's output shape is unknown with run-time paddings; a reshape gives the network its static image shape back.
    long[] image = Arrays.copyOfRange(images.shape().asArray(), 1, rank);
    Operand<TFloat32> padded = Shapes.reshapeBatch(tf, tf.pad(images, paddings, tf.constant(0f)), image);
    List<ClassifierOutput> outputs = new ArrayList<>();
    for (Operand<TFloat32> part : RowStreams.split(tf, padded, parts)) {
      outputs.add(classifier.call(part, model.training()));
    }
    Optional<Operand<TFloat32>> distillation = outputs.get(0).distillationLogits().isPresent()
        ? Optional.of(join(tf, outputs, o -> o.distillationLogits().orElseThrow(), batch))
        : Optional.empty();
    return new ClassifierOutput(join(tf, outputs, ClassifierOutput::logits, batch), distillation,
        join(tf, outputs, ClassifierOutput::features, batch));
  }

  /** The parts' {@code field}s in order, without the padding's rows: the first {@code batch} rows. */
  private static Operand<TFloat32> join(Ops tf, List<ClassifierOutput> outputs,
      Function<ClassifierOutput, Operand<TFloat32>> field, Operand<TInt32> batch) {
    Operand<TFloat32> joined = tf.concat(outputs.stream().map(field).toList(), tf.constant(0));
    int rank = joined.shape().numDimensions();
    int[] rest = new int[rank - 1];
    Arrays.fill(rest, -1);
    Operand<TFloat32> rows = tf.slice(joined, tf.constant(new int[rank]),
        tf.concat(List.of(batch, tf.constant(rest)), tf.constant(0)));
    // the slice's run-time size hides the static shape after the batch axis, which callers read (class count)
    return Shapes.reshapeBatch(tf, rows, Arrays.copyOfRange(joined.shape().asArray(), 1, rank));
  }
}
