package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/** Ops built through {@link XlaCluster} are marked, keep their scope, and TF runs them compiled. */
class XlaClusterTest {
  private static final int N = 257;

  private static Operand<TFloat32> chain(Ops tf, Operand<TFloat32> x) {
    return tf.math.add(tf.math.mul(tf.math.erf(x), tf.math.exp(tf.math.mul(x, tf.constant(-0.5f)))), x);
  }

  /** Whether {@code op} asks for XLA ({@code _XlaCompile} true); also the test for GELU's compiled rule. */
  static boolean marked(GraphOperation op) {
    try {
      return op.attributes().getAttrValueProto("_XlaCompile").getB();
    } catch (RuntimeException absent) {
      return false;
    }
  }

  @Test
  void aMarkedChainRunsAsOneCompiledClusterWithThePlainChainsValues() {
    float[] x = new float[N];
    for (int i = 0; i < N; i++) {
      x[i] = (i - N / 2) / 20f;
    }
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N)));
      Operand<TFloat32> compiled = chain(XlaCluster.ops(tf.withSubScope("rule"), "test_cluster"), input);
      Operand<TFloat32> plain = chain(tf.withSubScope("plain"), input);

      GraphOperation marked = (GraphOperation) compiled.op();
      assertThat(marked.name()).startsWith("rule/");
      assertThat(XlaClusterTest.marked(marked)).isTrue();
      assertThat(marked.attributes().getAttrString("_XlaScope")).isEqualTo("test_cluster");
      assertThat(XlaClusterTest.marked((GraphOperation) plain.op())).as("unmarked").isFalse();

      RunOptions options = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
      try (TFloat32 fed = TFloat32.tensorOf(Shape.of(N), DataBuffers.of(x, true, false));
          Result result = session.runner().feed(input, fed).fetch(compiled).fetch(plain).setOptions(options)
              .runAndFetchMetadata()) {
        List<NodeDef> ran = result.getMetadata().orElseThrow().getPartitionGraphsList().stream()
            .flatMap(g -> g.getNodeList().stream()).toList();
        assertThat(ran).as("the marked chain ran as an XLA cluster").anyMatch(n -> n.getOp().equals("_XlaRun"));
        assertThat(ran).as("the marked ops are inside it").noneMatch(n -> n.getName().startsWith("rule/"));
        assertThat(ran).as("the plain chain ran op by op").anyMatch(n -> n.getName().startsWith("plain/"));
        float[] a = new float[N];
        float[] b = new float[N];
        ((TFloat32) result.get(0)).copyTo(DataBuffers.of(a, false, false));
        ((TFloat32) result.get(1)).copyTo(DataBuffers.of(b, false, false));
        for (int i = 0; i < N; i++) {
          assertThat(a[i]).as("at %s", x[i]).isCloseTo(b[i], within(2e-6f + 2e-6f * Math.abs(b[i])));
        }
      }
    }
  }
}
