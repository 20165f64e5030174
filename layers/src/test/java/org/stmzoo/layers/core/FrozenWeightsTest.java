package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.LayerNorm;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class FrozenWeightsTest {
  private static final float[] INPUT = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f};

  /** A LayerNorm and a Dense layer on [2, 3] rows; {@code out} receives the output. */
  private static Placeholder<TFloat32> build(ModelGraph model, int outFeatures, List<Operand<TFloat32>> out) {
    Placeholder<TFloat32> x = model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
    LayerNorm norm = new LayerNorm(model.root().child("norm"), 3, 1e-6f);
    Dense fc = new Dense(model.root().child("fc"), 3, outFeatures, true);
    out.add(fc.call(norm.call(x, model.training()), model.training()));
    return x;
  }

  private static float[] run(Session session, Placeholder<TFloat32> x, Operand<TFloat32> y) {
    try (TFloat32 in = TFloat32.tensorOf(Shape.of(2, 3), DataBuffers.of(INPUT));
        TFloat32 out = (TFloat32) session.runner().feed(x, in).fetch(y).run().get(0)) {
      float[] values = new float[(int) out.shape().size()];
      out.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  /** The weights of the model as initialised with seed 3, with gamma and beta set away from 1 and 0. */
  private static FrozenWeights weights(List<float[]> outputsWithVariables) {
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 3L);
      List<Operand<TFloat32>> out = new ArrayList<>();
      Placeholder<TFloat32> x = build(model, 4, out);
      try (Session s = new Session(g)) {
        s.run(model.initializer());
        ModelVariable gamma = model.variables().get("norm/gamma");
        s.run(model.tf().assignVariableOp(gamma.handle(), model.tf().constant(new float[] {1.5f, 0.5f, -2f})));
        ModelVariable beta = model.variables().get("norm/beta");
        s.run(model.tf().assignVariableOp(beta.handle(), model.tf().constant(new float[] {0.1f, -0.2f, 0.3f})));
        outputsWithVariables.add(run(s, x, out.get(0)));
        return FrozenWeights.read(s, model);
      }
    }
  }

  @Test
  void theFrozenGraphComputesTheSameFunctionWithoutVariableOps() {
    List<float[]> expected = new ArrayList<>();
    try (FrozenWeights weights = weights(expected); Graph g = new Graph()) {
      assertThat(weights.paths()).containsExactly("norm/gamma", "norm/beta", "fc/kernel", "fc/bias");
      ModelGraph model = ModelGraph.inferenceOnly(g, 3L, ModelGraph.Inference.PLAIN, weights);
      List<Operand<TFloat32>> out = new ArrayList<>();
      Placeholder<TFloat32> x = build(model, 4, out);
      assertThat(model.frozenWeights()).isTrue();
      assertThat(model.variables().values()).allMatch(ModelVariable::frozen);
      assertThat(model.parameterCount()).isEqualTo(3 + 3 + 12 + 4);
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(op.type()));
      assertThat(types).doesNotContain("VarHandleOp", "ReadVariableOp", "AssignVariableOp")
          .contains("PlaceholderWithDefault");
      try (Session s = new Session(g)) {
        s.run(model.initializer()); // nothing to initialise: a no-op
        float[] actual = run(s, x, out.get(0));
        // the same ops on the same values, so the same floats; and not the initial gamma/beta's output
        assertThat(actual).containsExactly(expected.get(0));
        assertThat(actual).hasSize(8);
      }
    }
  }

  @Test
  void aWeightsPartIsItsOwnConstantWithTheEntriesAskedFor() {
    List<float[]> parts = new ArrayList<>();
    long[] columns = {3, 0};
    long[] rows = {2, 1};
    // with variables (a gather per run) and frozen (constants of the parts): the same entries
    try (FrozenWeights weights = weights(new ArrayList<>())) {
      for (boolean frozen : new boolean[] {false, true}) {
        try (Graph g = new Graph()) {
          ModelGraph model = frozen ? ModelGraph.inferenceOnly(g, 3L, ModelGraph.Inference.PLAIN, weights)
              : ModelGraph.inferenceOnly(g, 3L);
          build(model, 4, new ArrayList<>());
          ModelVariable kernel = model.variables().get("fc/kernel");
          ModelVariable bias = model.variables().get("fc/bias");
          List<Operand<TFloat32>> values = List.of(kernel.value(),
              model.weightPart(kernel, model.training(), 1, columns, "share1"),
              model.weightPart(kernel, model.training(), 0, rows, "share0"),
              model.weightPart(bias, model.training(), 0, columns, "share1"));
          List<String> types = new ArrayList<>();
          g.operations().forEachRemaining(op -> types.add(op.type()));
          assertThat(types.contains("GatherV2")).isEqualTo(!frozen);
          if (frozen) {
            assertThat(g.operation("fc.kernel_share1.read").type()).isEqualTo("PlaceholderWithDefault");
            // a share read again is the same constant
            assertThat(model.weightPart(kernel, model.training(), 1, columns, "share1")).isSameAs(values.get(1));
          }
          try (Session s = new Session(g)) {
            s.run(model.initializer()); // with variables the same seed's values as the frozen ones
            Session.Runner runner = s.runner();
            values.forEach(runner::fetch);
            try (Result result = runner.run()) {
              for (int i = 0; i < values.size(); i++) {
                TFloat32 t = (TFloat32) result.get(i);
                float[] v = new float[(int) t.size()];
                t.copyTo(DataBuffers.of(v, false, false));
                parts.add(v);
              }
            }
          }
        }
      }
    }
    for (int run = 0; run < 2; run++) {
      float[] kernel = parts.get(4 * run); // [3, 4]
      assertThat(parts.get(4 * run + 1)).as("columns 3, 0").containsExactly(kernel[3], kernel[0], kernel[7],
          kernel[4], kernel[11], kernel[8]);
      assertThat(parts.get(4 * run + 2)).as("rows 2, 1").containsExactly(kernel[8], kernel[9], kernel[10],
          kernel[11], kernel[4], kernel[5], kernel[6], kernel[7]);
      assertThat(parts.get(4 * run + 3)).hasSize(2);
    }
    assertThat(parts.get(4)).containsExactly(parts.get(0));
    assertThat(parts.get(7)).containsExactly(parts.get(3));
  }

  @Test
  void aPartOutsideTheWeightOrTakenTwiceWithOtherEntriesIsRefused() {
    try (FrozenWeights weights = weights(new ArrayList<>()); Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 3L, ModelGraph.Inference.PLAIN, weights);
      build(model, 4, new ArrayList<>());
      ModelVariable kernel = model.variables().get("fc/kernel");
      assertThatThrownBy(() -> model.weightPart(kernel, model.training(), 2, new long[] {0}, "share0"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("axis 2");
      assertThatThrownBy(() -> model.weightPart(kernel, model.training(), 1, new long[] {4}, "share0"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 4");
      model.weightPart(kernel, model.training(), 1, new long[] {0, 1}, "share0");
      assertThatThrownBy(() -> model.weightPart(kernel, model.training(), 1, new long[] {2, 3}, "share0"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other entries");
    }
  }

  @Test
  void anotherModelOrAFrozenModelIsRefused() {
    try (FrozenWeights weights = weights(new ArrayList<>())) {
      // a different output width: fc/kernel's shape differs
      try (Graph g = new Graph()) {
        ModelGraph model = ModelGraph.inferenceOnly(g, 3L, ModelGraph.Inference.PLAIN, weights);
        assertThatThrownBy(() -> build(model, 5, new ArrayList<>()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("fc/kernel").hasMessageContaining("[3, 4]");
      }
      // a variable the weights do not hold
      try (Graph g = new Graph()) {
        ModelGraph model = ModelGraph.inferenceOnly(g, 3L, ModelGraph.Inference.PLAIN, weights);
        assertThatThrownBy(() -> new Dense(model.root().child("head"), 3, 2, false))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no frozen value for variable head/kernel");
      }
      // nothing to save, restore, update or freeze again
      try (Graph g = new Graph()) {
        ModelGraph model = ModelGraph.inferenceOnly(g, 3L, ModelGraph.Inference.PLAIN, weights);
        build(model, 4, new ArrayList<>());
        assertThatThrownBy(() -> CheckpointOps.build(model, "restore", model.modelVariables()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozen weights");
        ModelVariable gamma = model.variables().get("norm/gamma");
        assertThatThrownBy(() -> model.addStateUpdate(gamma, gamma.value()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("norm/gamma");
        try (Session s = new Session(g)) {
          assertThatThrownBy(() -> FrozenWeights.read(s, model))
              .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozen already");
        }
      }
    }
  }
}
