package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.recipes.parallel.Replicas;
import org.stmzoo.recipes.train.TrainingGraph;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/** Data parallelism over two CPU devices of one process computes the single-device step. */
class DataParallelTrainingTest {
  private static final int SIZE = 16;
  private static final int BATCH = 8;
  private static final int STEPS = 4;

  /** Mixup, CutMix, erasing, clipping and EMA all on: the augmentation draws once for the global batch. */
  private static RecipeConfig recipe() {
    return new RecipeConfig(1, BATCH, 2e-2 * 512 / BATCH, 1e-5, 1e-3, 0, 0.05, 5.0, 0.1, 0.8, 1.0, 0.5, 0.25, true,
        0.9, false, RecipeConfig.Distillation.none(), 5);
  }

  /** Trains {@code STEPS} steps on fixed random batches and returns every variable (model, AdamW, EMA). */
  private static Map<String, float[]> train(Replicas replicas, boolean batchNorm, int steps, List<String> devicesOut) {
    RecipeConfig config = recipe();
    try (Graph g = new Graph();
        Session s = new Session(g, replicas.sessionConfig(ConfigProto.getDefaultInstance()))) {
      ModelGraph model = ModelGraph.inferenceOnly(g, config.seed());
      Placeholder<TFloat32> images = model.tf().withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, SIZE, SIZE, 1)));
      TinyNet net = new TinyNet(model.root(), 1, 10, false, batchNorm);
      TrainingGraph graph = new TrainingGraph(model, net, images, net.call(images, model.training()), 10, config,
          Optional.empty(), replicas);
      if (devicesOut != null) {
        Iterator<GraphOperation> ops = g.operations();
        while (ops.hasNext()) {
          GraphOperation op = ops.next();
          devicesOut.add(op.type() + "@" + op.device() + "@" + op.name());
        }
      }
      graph.initialize(s);
      Random random = new Random(3);
      for (int step = 0; step < steps; step++) {
        float[] batch = new float[BATCH * SIZE * SIZE];
        for (int i = 0; i < batch.length; i++) {
          batch[i] = (float) random.nextGaussian();
        }
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
          labels[i] = random.nextInt(10);
        }
        graph.runStep(s, batch, labels, BATCH, step, 1e-2);
      }
      Map<String, float[]> weights = new TreeMap<>();
      for (ModelVariable v : model.variables().values()) {
        weights.put(v.path(), GraphTestSupport.fetch(s, v.value()));
      }
      return weights;
    }
  }

  private static void assertSameWeights(Map<String, float[]> actual, Map<String, float[]> expected, float tolerance) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String path : expected.keySet()) {
      float[] a = actual.get(path);
      float[] e = expected.get(path);
      for (int i = 0; i < e.length; i++) {
        assertThat(Math.abs(a[i] - e[i])).as("%s[%d]: %s vs %s", path, i, a[i], e[i]).isLessThanOrEqualTo(tolerance);
      }
    }
  }

  @Test
  void twoCpuDevicesTrainLikeOne() {
    Map<String, float[]> one = train(Replicas.single(), false, STEPS, null);
    List<String> ops = new ArrayList<>();
    Map<String, float[]> two = train(Replicas.parse("cpu:0,cpu:1"), false, STEPS, ops);
    assertSameWeights(two, one, 1e-5f);
    // The weights moved: the comparison is not between two untouched initialisations.
    assertThat(Math.abs(one.get("conv1/kernel")[0] - train(Replicas.single(), false, 0, null).get("conv1/kernel")[0]))
        .isGreaterThan(1e-4f);
    // Replica 1's forward and its gradients run on the second device, replica 0's on the first.
    assertThat(ops).anyMatch(op -> op.startsWith("Conv2D@/device:CPU:1@"));
    assertThat(ops).anyMatch(op -> op.startsWith("Conv2D@/device:CPU:0@"));
    assertThat(ops).anyMatch(op -> op.contains("@/device:CPU:1@replica_1/"));
    assertThat(ops).noneMatch(op -> op.contains("@/device:CPU:0@replica_1/"));
    assertThat(ops).filteredOn(op -> op.startsWith("VarHandleOp@")).allMatch(op -> op.startsWith("VarHandleOp@@"));
  }

  @Test
  void chainsOnOneDeviceTrainLikeOne() {
    List<String> single = new ArrayList<>();
    Map<String, float[]> one = train(Replicas.single(), false, STEPS, single);
    List<String> ops = new ArrayList<>();
    Map<String, float[]> two = train(Replicas.chains(2), false, STEPS, ops);
    assertSameWeights(two, one, 1e-5f);
    // One graph holds the evaluation forward and one training forward, the other a training forward per chain,
    // with its own gradients; nothing is placed: chains share TF's default device.
    long convolutions = single.stream().filter(op -> op.startsWith("Conv2D@")).count();
    assertThat(convolutions).isPositive();
    assertThat(ops.stream().filter(op -> op.startsWith("Conv2D@")).count()).isEqualTo(convolutions * 3 / 2);
    assertThat(ops).anyMatch(op -> op.contains("@@replica_1/"));
    assertThat(ops).allMatch(op -> op.contains("@@"));
  }

  @Test
  void chainsRunOneThreadPerOp() {
    ConfigProto config = Replicas.chains(3).sessionConfig(ConfigProto.getDefaultInstance());
    assertThat(config.getIntraOpParallelismThreads()).isEqualTo(1);
    assertThat(config.getInterOpParallelismThreads()).isEqualTo(3);
    assertThat(config.getDeviceCountMap()).isEmpty();
    assertThat(Replicas.single().sessionConfig(ConfigProto.getDefaultInstance()))
        .isEqualTo(ConfigProto.getDefaultInstance());
    assertThat(Replicas.chains(3).count()).isEqualTo(3);
    assertThat(Replicas.chains(3).placed()).isFalse();
    assertThatThrownBy(() -> Replicas.chains(0)).hasMessageContaining("chains");
    assertThatThrownBy(() -> new Replicas(List.of("/device:CPU:0"), 1, false, 2)).hasMessageContaining("chains");
    assertThatThrownBy(() -> Replicas.chains(3).slice(8)).hasMessageContaining("does not split evenly");
  }

  @Test
  void batchNormStatisticsAreAveragedOverReplicas() {
    // Replicas normalise with their own batch's statistics (as DDP without SyncBatchNorm does), so only the first
    // step's statistics are comparable: the moving mean's update is the mean of the replicas' batch means, which
    // equals the global batch mean for equal slices.
    Map<String, float[]> one = train(Replicas.single(), true, 1, null);
    float[] expected = one.get("bn1/moving_mean");
    assertThat(expected).isNotEqualTo(new float[expected.length]);
    for (Replicas replicas : List.of(Replicas.parse("2"), Replicas.chains(2))) {
      float[] actual = train(replicas, true, 1, null).get("bn1/moving_mean");
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).as("%s", replicas).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-5f));
      }
    }
  }

  @Test
  void devicesParseFromACountOrAList() {
    assertThat(Replicas.parse("cpu:0,cpu:1").devices()).containsExactly("/device:CPU:0", "/device:CPU:1");
    assertThat(Replicas.parse("gpu:0, gpu:1").devices()).containsExactly("/device:GPU:0", "/device:GPU:1");
    assertThat(Replicas.parse("3").count()).isEqualTo(3);
    assertThat(Replicas.parse("cpu:0,cpu:2").sessionConfig(ConfigProto.getDefaultInstance()).getDeviceCountMap())
        .containsEntry("CPU", 3);
    assertThatThrownBy(() -> Replicas.parse("tpu:0")).hasMessageContaining("cpu:0,cpu:1");
    assertThatThrownBy(() -> Replicas.parse("cpu:0,cpu:0")).hasMessageContaining("twice");
    assertThatThrownBy(() -> Replicas.parse("3").slice(8)).hasMessageContaining("does not split evenly");
  }
}
