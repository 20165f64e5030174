package org.stmzoo.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * pit-ti with timm's {@code pit_ti_224} weights (the perturbed random fixture) reproduces the reference logits:
 * every state_dict tensor maps onto exactly one variable by name and layout, and the forward pass (NHWC position
 * embedding, token split, depthwise pooling with two outputs per channel, class-token head) matches.
 */
class PitReferenceFixtureTest {
  private static final String REFERENCE = "pit_ti_224";

  @Test
  void importedReferenceWeightsReproduceTheReferenceLogits() {
    Map<String, ReferenceFixture.Tensor> stateDict = ReferenceFixture.stateDict(REFERENCE);
    ReferenceFixture.Tensor input = ReferenceFixture.npy(REFERENCE, "input_nhwc");
    ReferenceFixture.Tensor expected = ReferenceFixture.npy(REFERENCE, "logits");
    try (Graph g = new Graph(); Session session = new Session(g)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("pit-ti"), ModelOptions.imagenet(), g, 0L, -1, true);
      Map<String, ModelVariable> variables = built.model().variables();
      Ops tf = built.model().tf();
      List<Op> assigns = new ArrayList<>();
      Set<String> assigned = new HashSet<>();
      for (Map.Entry<String, ReferenceFixture.Tensor> e : stateDict.entrySet()) {
        String path = variablePath(e.getKey());
        ModelVariable v = variables.get(path);
        assertThat(v).as("variable for %s", e.getKey()).isNotNull();
        float[] values = toStmzooLayout(e.getKey(), e.getValue());
        assertThat(v.size()).as(path).isEqualTo(values.length);
        assigns.add(tf.assignVariableOp(v.handle(), tf.constant(v.shape(), DataBuffers.of(values))));
        assigned.add(path);
      }
      assertThat(assigned).containsExactlyInAnyOrderElementsOf(variables.keySet());
      session.run(built.model().initializer());
      assigns.forEach(session::run);

      try (TFloat32 images = TFloat32.tensorOf(Shape.of(input.shape()), DataBuffers.of(input.values(), true, false));
           Result result = session.runner().feed(built.images(), images).fetch(built.output().logits()).run()) {
        TFloat32 logits = (TFloat32) result.get(0);
        assertThat(logits.shape().asArray()).containsExactly(expected.shape());
        float[] actual = new float[expected.values().length];
        logits.copyTo(DataBuffers.of(actual, false, false));
        float maxError = 0;
        for (int i = 0; i < actual.length; i++) {
          assertThat(actual[i]).as("logit %d", i).isCloseTo(expected.values()[i], within(1e-4f));
          maxError = Math.max(maxError, Math.abs(actual[i] - expected.values()[i]));
        }
        System.out.printf("pit-ti vs %s: max |logit error| %.2e%n", REFERENCE, maxError);
      }
    }
  }

  /** timm's key to stmzoo's variable path: {@code transformers.0.blocks.1.norm1.weight -> .../norm1/gamma}. */
  static String variablePath(String key) {
    int dot = key.lastIndexOf('.');
    if (dot < 0) {
      return key; // pos_embed, cls_token
    }
    String owner = key.substring(0, dot).replace('.', '/');
    String leaf = key.substring(dot + 1);
    String last = owner.substring(owner.lastIndexOf('/') + 1);
    boolean layerNorm = last.startsWith("norm");
    return switch (leaf) {
      case "weight" -> owner + (layerNorm ? "/gamma" : "/kernel");
      case "bias" -> owner + (layerNorm ? "/beta" : "/bias");
      default -> throw new IllegalArgumentException("unexpected state_dict key " + key);
    };
  }

  /** Linear [out, in] -> [in, out]; conv OIHW -> HWIO; depthwise [C*m, 1, kh, kw] -> [kh, kw, C, m]; NCHW -> NHWC. */
  static float[] toStmzooLayout(String key, ReferenceFixture.Tensor t) {
    long[] s = t.shape();
    if (key.equals("pos_embed")) {
      return ReferenceFixture.transpose(t.values(), s, 0, 2, 3, 1);
    }
    if (key.endsWith(".weight") && s.length == 2) {
      return ReferenceFixture.transpose(t.values(), s, 1, 0);
    }
    if (key.endsWith(".weight") && s.length == 4) {
      if (key.contains(".pool.conv.")) {
        // groups = C: output channel c*m + j reads input channel c
        long channels = s[0] / 2;
        return ReferenceFixture.transpose(t.values(), new long[] {channels, 2, s[2], s[3]}, 2, 3, 0, 1);
      }
      return ReferenceFixture.transpose(t.values(), s, 2, 3, 1, 0);
    }
    return t.values();
  }
}
