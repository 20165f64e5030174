package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * An inference graph that asks for the fused LayerNorm builds the form TF's remapper fuses (Keras 2's, through
 * {@code FusedBatchNormV3}, none of the element-wise ops); where oneDNN's graph passes are on TF runs it as
 * {@code _MklLayerNorm}, and with the remapper off as batch norm (what a TF without oneDNN runs): both compute the
 * same numbers as a direct double-precision loop, for rows, tokens and NHWC maps.
 */
class FusedLayerNormTest {
  private static final int DIM = 48;

  @Test
  void remapperFusesTheFormOnCpusWithOneDnnGraphPasses() throws IOException {
    // TF turns oneDNN's graph passes on by default where the CPU has one of these (tensorflow/core/util/util.cc).
    String env = System.getenv("TF_ENABLE_ONEDNN_OPTS");
    boolean off = env != null && (env.trim().equals("0") || env.trim().equalsIgnoreCase("false"));
    Path cpuinfo = Path.of("/proc/cpuinfo");
    boolean cpuQualifies = System.getProperty("os.arch").matches("amd64|x86_64") && Files.isReadable(cpuinfo)
        && Files.readAllLines(cpuinfo).stream().filter(line -> line.startsWith("flags"))
            .anyMatch(line -> List.of(line.split("\\s+")).stream()
                .anyMatch(f -> f.equals("avx512_vnni") || f.equals("avx512_bf16") || f.equals("avx_vnni")
                    || f.startsWith("amx_")));
    assertThat(OneDnnOps.remapperFusesLayerNorm(ConfigProto.getDefaultInstance())).isEqualTo(cpuQualifies && !off);
  }

  @Test
  void fusedFormComputesLayerNormOverTheLastAxisFusedAndUnfused() {
    for (Shape shape : List.of(Shape.of(7, DIM), Shape.of(2, 9, DIM), Shape.of(2, 5, 6, DIM))) {
      assertLayerNorm(shape, false, true);
      assertLayerNorm(shape, true, true);
      assertLayerNorm(shape, true, false);
    }
  }

  /**
   * In a graph that may be trained the fused form gives the forward value and the element-wise form's rule the
   * gradients: values and the gradients of a weighted sum for the input, gamma and beta equal the plain graph's,
   * and the training step runs oneDNN's kernel where TF fuses the form (nothing of it is kept for the backward pass).
   */
  @Test
  void inATrainedGraphTheFusedFormGivesTheValueAndTheRuleTheGradients() {
    for (Shape shape : List.of(Shape.of(2, 9, DIM), Shape.of(2, 5, 6, DIM))) {
      Random random = new Random(7);
      float[] x = new float[Math.toIntExact(shape.size())];
      float[] w = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (random.nextGaussian() * 2 + 0.5);
        w[i] = (float) random.nextGaussian();
      }
      float[] gamma = new float[DIM];
      float[] beta = new float[DIM];
      for (int i = 0; i < DIM; i++) {
        gamma[i] = 0.5f + random.nextFloat();
        beta[i] = random.nextFloat() - 0.5f;
      }
      List<float[]> plain = new ArrayList<>(step(shape, false, true, x, w, gamma, beta));
      List<float[]> fused = new ArrayList<>(step(shape, true, true, x, w, gamma, beta));
      plain.addAll(step(shape, false, false, x, w, gamma, beta));
      fused.addAll(step(shape, true, false, x, w, gamma, beta));
      String[] names = {"value", "d/dinput", "d/dgamma", "d/dbeta", "inference value"};
      for (int k = 0; k < names.length; k++) {
        float scale = 0;
        for (float v : plain.get(k)) {
          scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as("%s %s is not trivially zero", shape, names[k]).isGreaterThan(0.1f);
        for (int i = 0; i < plain.get(k).length; i++) {
          assertThat(fused.get(k)[i]).as("%s %s[%d]", shape, names[k], i)
              .isCloseTo(plain.get(k)[i], within(2e-5f * scale));
        }
      }
    }
  }

  /**
   * The value and, where {@code trainable}, the gradients of {@code sum(y * w)} for the input, gamma and beta. (One
   * norm per graph: TF merges identical ops, and two norms of one input would share the form's batch norm, which
   * then no longer fuses.)
   */
  private static List<float[]> step(Shape shape, boolean fused, boolean trainable, float[] x, float[] w,
      float[] gamma, float[] beta) {
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 1L, ModelGraph.Inference.PLAIN.withFusedLayerNorm(fused));
      Ops tf = model.tf();
      Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      Operand<TFloat32> y = new LayerNorm(model.root().child("norm"), DIM, 1e-6f).call(input,
          trainable ? tf.placeholderWithDefault(tf.constant(true), Shape.scalar()) : tf.constant(false));
      int[] axes = new int[shape.numDimensions()];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = i;
      }
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, tf.constant(shape, DataBuffers.of(w, true, false))),
          tf.constant(axes));
      ModelVariable gammaVariable = model.variables().get("norm/gamma");
      ModelVariable betaVariable = model.variables().get("norm/beta");
      Output<?>[] grads = trainable ? g.addGradients(loss.asOutput(),
          new Output<?>[] {input.asOutput(), gammaVariable.value().asOutput(), betaVariable.value().asOutput()})
          : new Output<?>[0];
      List<Tensor> fed = new ArrayList<>();
      try (Session s = new Session(g)) {
        TFloat32 in = TFloat32.tensorOf(shape, DataBuffers.of(x, true, false));
        TFloat32 gammaValue = TFloat32.tensorOf(Shape.of(DIM), DataBuffers.of(gamma, true, false));
        TFloat32 betaValue = TFloat32.tensorOf(Shape.of(DIM), DataBuffers.of(beta, true, false));
        fed.addAll(List.of(in, gammaValue, betaValue));
        Session.Runner runner = s.runner().feed(input, in).feed(gammaVariable.value(), gammaValue)
            .feed(betaVariable.value(), betaValue).fetch(y);
        for (Output<?> grad : grads) {
          runner.fetch(grad);
        }
        try (Result result = runner.setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build())
            .runAndFetchMetadata()) {
          List<String> ran = result.getMetadata().orElseThrow().getPartitionGraphsList().stream()
              .flatMap(graph -> graph.getNodeList().stream()).map(NodeDef::getOp).toList();
          assertThat(ran.contains("_MklLayerNorm")).as("%s fused=%s trainable=%s: %s", shape, fused, trainable, ran)
              .isEqualTo(fused && OneDnnOps.remapperFusesLayerNorm(ConfigProto.getDefaultInstance()));
          List<float[]> values = new ArrayList<>();
          for (int k = 0; k < 1 + grads.length; k++) {
            TFloat32 t = (TFloat32) result.get(k);
            float[] v = new float[Math.toIntExact(t.size())];
            t.copyTo(DataBuffers.of(v, false, false));
            values.add(v);
          }
          return values;
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }

  private static void assertLayerNorm(Shape shape, boolean fused, boolean remapper) {
    Random random = new Random(shape.numDimensions());
    float[] x = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextGaussian() * 3 + 1);
    }
    float[] gamma = new float[DIM];
    float[] beta = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      gamma[i] = 0.5f + random.nextFloat();
      beta[i] = random.nextFloat() - 0.5f;
    }
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 1L, ModelGraph.Inference.PLAIN.withFusedLayerNorm(fused));
      Placeholder<TFloat32> input = model.tf().placeholder(TFloat32.class, Placeholder.shape(shape));
      LayerNorm norm = new LayerNorm(model.root().child("norm"), DIM, 1e-6f);
      Operand<TFloat32> y = norm.call(input, model.training());
      assertThat(y.shape()).isEqualTo(shape);
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
      assertThat(types.contains("FusedBatchNormV3")).as("fusible form in %s", shape).isEqualTo(fused);
      assertThat(types.contains("Mean")).as("element-wise form in %s", shape).isEqualTo(!fused);

      List<Tensor> fed = new ArrayList<>();
      ConfigProto config = ConfigProto.newBuilder().setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
          RewriterConfig.newBuilder().setRemapping(remapper ? RewriterConfig.Toggle.DEFAULT : RewriterConfig.Toggle.OFF)))
          .build();
      try (Session s = new Session(g, config)) {
        Session.Runner runner = s.runner();
        for (ModelVariable v : model.variables().values()) {
          float[] values = v.path().endsWith("gamma") ? gamma : beta;
          TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false));
          fed.add(t);
          runner.feed(v.value(), t);
        }
        TFloat32 in = TFloat32.tensorOf(shape, DataBuffers.of(x, true, false));
        fed.add(in);
        try (Result result = runner.feed(input, in).fetch(y)
            .setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build()).runAndFetchMetadata()) {
          List<String> ran = result.getMetadata().orElseThrow().getPartitionGraphsList().stream()
              .flatMap(graph -> graph.getNodeList().stream()).map(NodeDef::getOp).toList();
          boolean fusedKernel = fused && remapper && OneDnnOps.remapperFusesLayerNorm(ConfigProto.getDefaultInstance());
          assertThat(ran.contains("_MklLayerNorm")).as("%s fused=%s remapper=%s: %s", shape, fused, remapper, ran)
              .isEqualTo(fusedKernel);
          assertThat(ran.stream().anyMatch(op -> op.contains("FusedBatchNorm")))
              .as("%s fused=%s remapper=%s: %s", shape, fused, remapper, ran).isEqualTo(fused && !fusedKernel);
          float[] actual = new float[x.length];
          ((TFloat32) result.get(0)).copyTo(DataBuffers.of(actual, false, false));
          double[] expected = NaiveMath.layerNorm(NaiveMath.toDouble(x), x.length / DIM, DIM, gamma, beta, 1e-6);
          for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s fused=%s remapper=%s element %d", shape, fused, remapper, i)
                .isCloseTo(expected[i], within(2e-5));
          }
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }
}
