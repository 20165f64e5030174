package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SplitV;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A row-wise function applied to a {@code [rows, features]} matrix as {@code streams} independent parts: the rows
 * are cut into contiguous blocks (a split along the first axis shares the input's buffer), each block goes through
 * its own copy of the ops, and the results are concatenated in order. The function is the same; the graph now has
 * {@code streams} chains that do not depend on each other, which TF's inter-op threads can run at once. That is how
 * a batch-1 step uses a second core without handing each op's work to another thread (see the benchmark's thread
 * plans): one hand-off per split instead of one per op.
 */
public final class RowStreams {
  private RowStreams() {}

  /** {@code rowWise(rows)}, computed in {@code streams} blocks of rows (1: unchanged). */
  public static Operand<TFloat32> map(Ops tf, Operand<TFloat32> rows, int streams,
      UnaryOperator<Operand<TFloat32>> rowWise) {
    if (streams < 1) {
      throw new IllegalArgumentException("streams must be >= 1, got " + streams);
    }
    if (rows.shape().numDimensions() != 2) {
      throw new IllegalArgumentException("row streams need a [rows, features] matrix, got " + rows.shape());
    }
    if (streams == 1) {
      return rowWise.apply(rows);
    }
    List<Operand<TFloat32>> outputs = new ArrayList<>();
    for (Operand<TFloat32> part : split(tf, rows, streams)) {
      outputs.add(rowWise.apply(part));
    }
    return tf.concat(outputs, tf.constant(0));
  }

  /**
   * {@code x} cut along its first axis into {@code parts} contiguous blocks, in order: every block but the last has
   * {@code floor(n / parts)} of its {@code n} entries, the last the rest (so a block may be empty).
   */
  public static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> x, int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be >= 1, got " + parts);
    }
    if (parts == 1) {
      return List.of(x);
    }
    Operand<TInt32> count = Shapes.batchSize(tf, x);
    Operand<TInt32> block = tf.math.floorDiv(count, tf.constant(new int[] {parts}));
    List<Operand<TInt32>> sizes = new ArrayList<>();
    for (int i = 0; i < parts - 1; i++) {
      sizes.add(block);
    }
    sizes.add(tf.constant(new int[] {-1}));
    SplitV<TFloat32> split = tf.splitV(x, tf.concat(sizes, tf.constant(0)), tf.constant(0), (long) parts);
    return List.copyOf(split.output());
  }
}
