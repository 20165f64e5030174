package org.stmzoo.layers.core;

import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;

/**
 * Multiply-accumulates of the ops an output depends on, counted as fvcore/timm count them: matrix products
 * (MatMul, BatchMatMul) and convolutions with learned kernels; element-wise ops, norms, softmax and data movement
 * are not counted. The graph
 * must be built with a static batch size (1 for per-image figures).
 */
public final class MacCounter {
  /**
   * The name a layer gives a batched product that samples rather than transforms: DCNv3's weighted sum of the
   * bilinear neighbours, which the reference computes in a custom op that fvcore does not count. Products so named
   * (their last name segment starting with it) count as none, so a faster graph of the same function does not
   * change the model's GMACs.
   */
  public static final String SAMPLING_PRODUCT = "sampling_product";

  private MacCounter() {}

  public static long count(Graph graph, Operand<?> output) {
    Set<GraphOperation> ops = graph.subgraphTo(Set.of(output));
    long total = 0;
    for (GraphOperation op : ops) {
      total += macs(op);
    }
    return total;
  }

  static long macs(GraphOperation op) {
    switch (op.type()) {
      case "MatMul": {
        Shape a = op.input(0).shape();
        boolean transposeA = op.attributes().getAttrBool("transpose_a");
        long k = transposeA ? a.get(0) : a.get(1);
        return known(op.output(0).shape().size() * k, op);
      }
      case "BatchMatMul":
      case "BatchMatMulV2":
      case "BatchMatMulV3": {
        if (op.name().substring(op.name().lastIndexOf('/') + 1).startsWith(SAMPLING_PRODUCT)) {
          return 0;
        }
        Shape a = op.input(0).shape();
        boolean adjX = op.attributes().getAttrBool("adj_x");
        long k = adjX ? a.get(a.numDimensions() - 2) : a.get(a.numDimensions() - 1);
        return known(op.output(0).shape().size() * k, op);
      }
      case "Conv2D": {
        Shape f = op.input(1).shape();
        return known(op.output(0).shape().size() * f.get(0) * f.get(1) * f.get(2), op);
      }
      case "DepthwiseConv2dNative": {
        if (op.input(1).op().type().equals("Const")) {
          return 0; // a fixed one-hot kernel moves data (ShiftViT's shift), which the reference counts as none
        }
        Shape f = op.input(1).shape();
        return known(op.output(0).shape().size() * f.get(0) * f.get(1), op);
      }
      default:
        return 0;
    }
  }

  private static long known(long macs, GraphOperation op) {
    if (macs < 0) {
      throw new IllegalStateException("cannot count MACs of " + op.name() + ": its shapes are not static");
    }
    return macs;
  }
}
