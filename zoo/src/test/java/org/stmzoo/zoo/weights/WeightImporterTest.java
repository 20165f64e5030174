package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.LayerScale;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;

class WeightImporterTest {
  private static float[] iota(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return v;
  }

  private static RawTensor tensor(float[] values, long... shape) {
    return new RawTensor(shape, values);
  }

  @Test
  void linearConvDepthwiseAndLayerScaleLayouts() {
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.create(g, 0);
      new Dense(m.root().child("fc"), 3, 2, true);
      new Conv2D(m.root().child("conv"), Conv2D.Config.of(3, 4, 2, 1, Padding.valid(), false));
      new Conv2D(m.root().child("dw"), Conv2D.Config.depthwise(2, 2, 3, 1, Padding.same(3), false));
      new LayerScale(m.root().child("ls"), new LayerScale.Config(4, 1e-6f, false));
      KeyMap map = KeyMap.builder().module("fc", "lin").module("conv", "c").module("dw", "d")
          .variable("ls/gamma", "gamma").head("fc/").build();
      Map<String, RawTensor> sd = new LinkedHashMap<>();
      sd.put("lin.weight", tensor(iota(6), 2, 3));
      sd.put("lin.bias", tensor(new float[] {7, 8}, 2));
      sd.put("c.weight", tensor(iota(48), 4, 3, 2, 2));
      sd.put("d.weight", tensor(iota(36), 4, 1, 3, 3));
      sd.put("gamma", tensor(new float[] {1, 2, 3, 4}, 1, 4, 1, 1));
      sd.put("bn.num_batches_tracked", tensor(new float[] {5}));
      Map<String, RawTensor> v = WeightImporter.plan("toy", new StateDict(sd), m.variables().values(), map).values();

      // Linear [out=2, in=3] -> [in, out]: kernel[i][o] = weight[o][i] = 3o + i
      assertThat(v.get("fc/kernel").values()).containsExactly(0, 3, 1, 4, 2, 5);
      assertThat(v.get("fc/bias").values()).containsExactly(7, 8);
      // Conv OIHW [4,3,2,2] -> HWIO: kernel[h][w][i][o] = weight[o][i][h][w] = 12o + 4i + 2h + w
      RawTensor conv = v.get("conv/kernel");
      assertThat(conv.shape()).containsExactly(2, 2, 3, 4);
      for (int h = 0; h < 2; h++) {
        for (int w = 0; w < 2; w++) {
          for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 4; o++) {
              assertThat(conv.values()[((h * 2 + w) * 3 + i) * 4 + o]).isEqualTo(12 * o + 4 * i + 2 * h + w);
            }
          }
        }
      }
      // depthwise [C*m=4, 1, 3, 3] -> [3, 3, C=2, m=2]: kernel[h][w][c][j] = weight[c*2 + j][0][h][w]
      RawTensor dw = v.get("dw/kernel");
      assertThat(dw.shape()).containsExactly(3, 3, 2, 2);
      for (int h = 0; h < 3; h++) {
        for (int w = 0; w < 3; w++) {
          for (int c = 0; c < 2; c++) {
            for (int j = 0; j < 2; j++) {
              assertThat(dw.values()[((h * 3 + w) * 2 + c) * 2 + j]).isEqualTo(9 * (c * 2 + j) + 3 * h + w);
            }
          }
        }
      }
      assertThat(v.get("ls/gamma").shape()).containsExactly(4);
      assertThat(v.get("ls/gamma").values()).containsExactly(1, 2, 3, 4);
    }
  }

  private static ModelGraph denseModel(Graph g, int classes) {
    ModelGraph m = ModelGraph.create(g, 0);
    new Dense(m.root().child("body"), 2, 2, false);
    new Dense(m.root().child("head"), 2, classes, true);
    return m;
  }

  private static final KeyMap DENSE_MAP = KeyMap.builder().module("body", "body").module("head", "head")
      .head("head/").build();

  private static Map<String, RawTensor> denseCheckpoint(int classes) {
    Map<String, RawTensor> sd = new LinkedHashMap<>();
    sd.put("body.weight", tensor(iota(4), 2, 2));
    sd.put("head.weight", tensor(iota(2 * classes), classes, 2));
    sd.put("head.bias", tensor(iota(classes), classes));
    return sd;
  }

  @Test
  void missingExtraAndMisShapedTensorsAreAllNamed() {
    try (Graph g = new Graph()) {
      List<ModelVariable> vars = List.copyOf(denseModel(g, 3).variables().values());
      Map<String, RawTensor> sd = denseCheckpoint(3);
      sd.remove("head.bias");
      sd.put("body.weight", tensor(iota(6), 3, 2));
      sd.put("extra.weight", tensor(iota(1), 1));
      assertThatThrownBy(() -> WeightImporter.plan("toy", new StateDict(sd), vars, DENSE_MAP))
          .isInstanceOf(WeightImportException.class)
          .hasMessageContaining("1 missing").hasMessageContaining("1 mis-shaped").hasMessageContaining("1 unexpected")
          .hasMessageContaining("missing tensor 'head.bias' for variable 'head/bias'")
          .hasMessageContaining("tensor 'body.weight' has shape [3, 2], which does not fit variable 'body/kernel'")
          .hasMessageContaining("unexpected tensor 'extra.weight'");
    }
  }

  @Test
  void longNamesAndShapesAreAbbreviatedInTheMessage() {
    try (Graph g = new Graph()) {
      List<ModelVariable> vars = List.copyOf(denseModel(g, 3).variables().values());
      Map<String, RawTensor> sd = denseCheckpoint(3);
      String name = "x".repeat(100_000);
      sd.put(name, tensor(iota(1), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
      assertThatThrownBy(() -> WeightImporter.plan("toy", new StateDict(sd), vars, DENSE_MAP))
          .isInstanceOf(WeightImportException.class)
          .hasMessageContaining("unexpected tensor '" + "x".repeat(200) + "... (100000 characters)' "
              + "[1, 1, 1, 1, 1, 1, 1, 1, ... (12 in all)] (no variable takes it)")
          .message().hasSizeLessThan(600);
    }
  }

  @Test
  void aTensorThatTwoVariablesWouldTakeIsRefused() {
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.create(g, 0);
      new Dense(m.root().child("a"), 2, 2, false);
      new Dense(m.root().child("b"), 2, 2, false);
      // a rule too broad: b's kernel maps to a's weight, and no tensor is left over to show it
      KeyMap tooBroad = KeyMap.builder().module("a|b", "a").build();
      StateDict sd = new StateDict(Map.of("a.weight", tensor(iota(4), 2, 2)));
      assertThatThrownBy(() -> WeightImporter.plan("toy", sd, m.variables().values(), tooBroad))
          .isInstanceOf(WeightImportException.class)
          .hasMessage("the checkpoint does not fit toy: 1 taken twice: tensor 'a.weight' would fill both"
              + " variable 'a/kernel' and variable 'b/kernel'");
    }
  }

  @Test
  void anotherClassCountReinitialisesTheWholeHead() {
    try (Graph g = new Graph()) {
      List<ModelVariable> vars = List.copyOf(denseModel(g, 5).variables().values());
      WeightImporter.Plan plan = WeightImporter.plan("toy", new StateDict(denseCheckpoint(3)), vars, DENSE_MAP);
      assertThat(plan.values()).containsOnlyKeys("body/kernel");
      assertThat(plan.reinitialised()).containsExactly("head/kernel", "head/bias");
      assertThat(plan.notes()).singleElement().asString().contains("head is re-initialised");
    }
  }

  @Test
  void bicubicResizeKeepsConstantsAndIsIdentityAtTheSameSize() {
    RawTensor grid = tensor(iota(2 * 4 * 4), 1, 2, 4, 4);
    assertThat(Layouts.resizeBicubicNchw(grid, 4, 4).values()).containsExactly(grid.values());
    float[] ones = new float[9];
    java.util.Arrays.fill(ones, 3f);
    RawTensor up = Layouts.resizeBicubicNchw(tensor(ones, 1, 1, 3, 3), 7, 5);
    assertThat(up.shape()).containsExactly(1, 1, 7, 5);
    for (float x : up.values()) {
      assertThat(x).isCloseTo(3f, org.assertj.core.data.Offset.offset(1e-6f));
    }
    // upsampling a row 0,1,2,3 2x: output 3 samples source (3 + 0.5) / 2 - 0.5 = 1.25, taps 0..3 at distances
    // 1.25, 0.25, 0.75, 1.75; Keys' kernel with a = -0.75 gives weights -27/256, 225/256, 67/256, -9/256, so
    // 0*w0 + 1*w1 + 2*w2 + 3*w3 = (225 + 134 - 27) / 256 = 1.296875 (a = -0.75 does not reproduce lines exactly)
    RawTensor row = Layouts.resizeBicubicNchw(tensor(new float[] {0, 1, 2, 3, 0, 1, 2, 3}, 1, 1, 2, 4), 2, 8);
    assertThat(row.values()[3]).isCloseTo(1.296875f, org.assertj.core.data.Offset.offset(1e-6f));
  }
}
