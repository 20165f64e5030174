package org.stmzoo.export;

import java.util.List;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.TensorArray;
import org.tensorflow.op.core.TensorArrayGather;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * {@code tf.map_fn} for one case: a function from one string (e.g. an encoded image) to a float tensor of a
 * fixed shape, applied to every element of a string vector, results stacked on a new first axis.
 *
 * <p>TF Java has no map_fn, and images of different sizes cannot be decoded as one batch, so this builds the
 * classic TF1 loop: {@link Graph#whileLoop} (Enter/Merge/Switch/NextIteration/Exit, which TF Serving and
 * Python load like any graph) writing each result into a TensorArray, gathered after the loop. Everything the
 * body needs travels as a loop variable (counter, the strings, the TensorArray handle and flow), because a
 * while body built through the C API cannot capture tensors of the enclosing graph.
 */
public final class StringBatchMap {
  private StringBatchMap() {}

  /**
   * @param strings a string vector {@code [n]}
   * @param elementShape the static shape every {@code fn} result has
   * @param fn builds, in the loop body's graph, the result for one scalar string
   * @return {@code [n, elementShape...]}
   */
  public static Operand<TFloat32> map(Graph graph, Ops tf, Operand<TString> strings, Shape elementShape,
      BiFunction<Ops, Operand<TString>, Operand<TFloat32>> fn, String name) {
    Operand<TInt32> count = tf.size(strings);
    TensorArray results = tf.tensorArray(count, TFloat32.class, TensorArray.elementShape(elementShape),
        TensorArray.identicalElementShapes(true));
    Output<?>[] initial = {tf.constant(0).asOutput(), strings.asOutput(), results.handle(), results.flow()};

    Output<?>[] last = graph.whileLoop(initial,
        (cond, in, out) -> {
          Ops c = Ops.create(cond);
          out[0] = c.math.less(in[0].expect(TInt32.class), c.size(in[1])).asOutput();
        },
        (body, in, out) -> {
          Ops b = Ops.create(body);
          Operand<TInt32> i = in[0].expect(TInt32.class);
          Operand<TString> element = b.gather(in[1].expect(TString.class), i, b.constant(0));
          Operand<TFloat32> result = fn.apply(b, element);
          out[0] = b.math.add(i, b.constant(1)).asOutput();
          out[1] = in[1];
          out[2] = in[2];
          out[3] = b.tensorArrayWrite(in[2], i, result, in[3].expect(TFloat32.class)).flowOut().asOutput();
        },
        name);

    return tf.tensorArrayGather(last[2], tf.range(tf.constant(0), count, tf.constant(1)),
        last[3].expect(TFloat32.class), TFloat32.class, TensorArrayGather.elementShape(elementShape));
  }
}
