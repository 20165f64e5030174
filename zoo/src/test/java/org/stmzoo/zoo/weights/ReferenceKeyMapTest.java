package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.SharedFiles;
import org.stmzoo.zoo.families.halo.UnifiedHalo;
import org.stmzoo.zoo.families.unified.AttentionSizes;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;

/**
 * The key maps of the families without reference fixtures, tested on complete synthetic reference state dicts
 * ({@link ReferenceStateDicts}): their parameters add up to the reference counts, they import strictly (every
 * tensor consumed, every variable set), converted values land in the right variable and layout, and a missing
 * or mis-shaped tensor is an error naming it.
 */
class ReferenceKeyMapTest {
  static Stream<String> referenceNames() {
    return ReferenceStateDicts.all().keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("referenceNames")
  void syntheticKeyListsHaveTheReferenceParameterCount(String reference) {
    long expected = SharedFiles.referenceParameterCounts().get(reference);
    assertThat(ReferenceStateDicts.all().get(reference).get().parameterCount()).isEqualTo(expected);
  }

  /** The smallest registered variant of each family (both DeiT heads), and its reference name. */
  static Stream<String> models() {
    return Stream.of("deit-tiny", "deit-tiny-distilled", "shiftvit-light-tiny", "u-halo-micro", "u-swin-micro",
        "u-pvt-micro", "u-dcnv3-micro");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void importsEveryTensorIntoEveryVariable(String model) {
    try (Imported imported = Imported.of(model)) {
      List<String> variables = imported.importedVariables().stream().map(ModelVariable::path).toList();
      WeightImporter.Plan plan = imported.plan(imported.checkpoint.stateDict());
      assertThat(plan.values().keySet()).containsExactlyInAnyOrderElementsOf(variables);
      assertThat(plan.reinitialised()).isEmpty();
      assertThat(plan.notes()).isEmpty();
    }
  }

  /** NaN, infinities and float64 values beyond float32's range in a weight are named, not imported silently. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void nonFiniteWeightsAreNamed(String model) {
    try (Imported imported = Imported.of(model)) {
      StateDict complete = imported.checkpoint.stateDict();
      Map<String, RawTensor> tensors = new LinkedHashMap<>(complete.tensors());
      List<String> keys = List.copyOf(imported.keyMap().normalise(complete).keys());
      String key = keys.get(keys.size() / 2);
      float[] values = tensors.get(key).values().clone();
      values[0] = Float.NaN;
      values[values.length - 1] = (float) 1e300;
      tensors.put(key, new RawTensor(tensors.get(key).shape(), values));
      assertThatThrownBy(() -> imported.plan(new StateDict(tensors)))
          .isInstanceOf(WeightImportException.class)
          .hasMessageContaining("tensor '" + key + "' for variable")
          .hasMessageContaining("holds " + (values.length == 1 ? 1 : 2) + " of " + values.length
              + " values that are NaN or infinite");
    }
  }

  /** A tensor read from integers (a quantised checkpoint's codes) does not fill a weight as if it were one. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void integerTensorsAreRefusedForWeights(String model) {
    try (Imported imported = Imported.of(model)) {
      StateDict complete = imported.checkpoint.stateDict();
      Map<String, RawTensor> tensors = new LinkedHashMap<>(complete.tensors());
      List<String> keys = List.copyOf(imported.keyMap().normalise(complete).keys());
      String key = keys.get(keys.size() / 2);
      RawTensor weight = tensors.get(key);
      tensors.put(key, new RawTensor(weight.shape(), weight.values(), "int8"));
      assertThatThrownBy(() -> imported.plan(new StateDict(tensors)))
          .isInstanceOf(WeightImportException.class)
          .hasMessageContaining("tensor '" + key + "' holds int8 values, which cannot fill the float variable");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aMissingAndAMisShapedTensorAreNamed(String model) {
    try (Imported imported = Imported.of(model)) {
      StateDict complete = imported.checkpoint.stateDict();
      Map<String, RawTensor> tensors = new LinkedHashMap<>(complete.tensors());
      // two tensors the model takes (not dropped buffers), from its middle (not the head, whose mismatch only
      // re-initialises it)
      List<String> keys = List.copyOf(imported.keyMap().normalise(complete).keys());
      String missing = keys.get(keys.size() / 2);
      String misShaped = keys.get(keys.size() / 2 + 1);
      tensors.remove(missing);
      long elements = RawTensor.elementCount(tensors.get(misShaped).shape());
      tensors.put(misShaped, new RawTensor(new long[] {elements + 1}, new float[(int) elements + 1]));
      assertThatThrownBy(() -> imported.plan(new StateDict(tensors)))
          .isInstanceOf(WeightImportException.class)
          .hasMessageContaining("missing tensor '" + missing + "'")
          .hasMessageContaining("tensor '" + misShaped + "' has shape [" + (elements + 1) + "]")
          .satisfies(e -> assertThat(((WeightImportException) e).problems()).hasSize(2));
    }
  }

  /** At 64x64 the DeiT and PVT grids and the Swin windows of the last stages shrink. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("resizedModels")
  void anotherImageSizeResizesAsTheReference(String model, String resizedVariable, String note) {
    try (Imported imported = Imported.of(model, 64)) {
      WeightImporter.Plan plan = imported.plan(imported.checkpoint.stateDict());
      assertThat(plan.values()).hasSize(imported.importedVariables().size());
      assertThat(plan.values().get(resizedVariable).shape())
          .containsExactly(imported.built.model().variables().get(resizedVariable).shape().asArray());
      assertThat(plan.notes()).anySatisfy(n -> assertThat(n).startsWith(resizedVariable + ": " + note));
    }
  }

  /** A U-Halo of another window (halo 2: 11, so 21 offsets) takes the release's 25-offset tables resized. */
  @Test
  void aHaloOfAnotherWindowResizesItsRelativeTablesAsTheReference() {
    AttentionSizes micro = AttentionSizes.STANDARD.get(0);
    try (Imported imported = Imported.of(UnifiedHalo.entry(new UnifiedHalo.Variant(micro, 7, 2)), 224)) {
      WeightImporter.Plan plan = imported.plan(imported.checkpoint.stateDict());
      assertThat(plan.values()).hasSize(imported.importedVariables().size());
      String variable = imported.importedVariables().stream().map(ModelVariable::path)
          .filter(p -> p.endsWith("mixer/height_rel")).findFirst().orElseThrow();
      String key = imported.keyMap().referenceKey(variable).orElseThrow();
      int width = (int) imported.checkpoint.shape(key)[1];
      assertThat(imported.checkpoint.shape(key)).containsExactly(25, width);
      RawTensor table = plan.values().get(variable);
      assertThat(table.shape()).containsExactly(21, width);
      // align_corners: row r samples row 24 r / 20 = 1.2 r, so row 5 is row 6 and row 1 is 0.8 row 1 + 0.2 row 2
      for (int c = 0; c < width; c++) {
        assertThat(table.values()[5 * width + c]).isCloseTo(SyntheticCheckpoint.value(key, 6 * width + c),
            within(1e-6f));
        assertThat(table.values()[width + c]).isCloseTo(0.8f * SyntheticCheckpoint.value(key, width + c)
            + 0.2f * SyntheticCheckpoint.value(key, 2 * width + c), within(1e-6f));
      }
      assertThat(plan.notes()).anySatisfy(n -> assertThat(n).startsWith(variable + ": resized from [25, " + width
          + "] to [21, " + width + "]"));
    }
  }

  /** An empty size-dependent tensor (a position embedding of no tokens) is mis-shaped, named; it indexed -1. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("resizedModels")
  void anEmptySizeDependentTensorIsMisShapedAndNamed(String model, String resizedVariable, String note) {
    try (Imported imported = Imported.of(model, 64)) {
      StateDict complete = imported.checkpoint.stateDict();
      Map<String, RawTensor> tensors = new LinkedHashMap<>(complete.tensors());
      String key = imported.keyMap().referenceKey(resizedVariable).orElseThrow();
      long[] shape = tensors.get(key).shape().clone();
      shape[shape.length == 2 ? 0 : 1] = 0;
      if (shape.length == 4) {
        shape[2] = 0;
        shape[3] = 0;
        shape[1] = tensors.get(key).shape()[1];
      }
      tensors.put(key, new RawTensor(shape, new float[0]));
      assertThatThrownBy(() -> imported.plan(new StateDict(tensors)))
          .isInstanceOf(WeightImportException.class)
          .hasMessageContaining("tensor '" + key + "' has shape " + java.util.Arrays.toString(shape)
              + " with no elements");
    }
  }

  static Stream<Arguments> resizedModels() {
    return Stream.of(
        Arguments.of("deit-tiny-distilled", "pos_embed", "resized from [1, 198, 192] to [1, 18, 192]"),
        Arguments.of("u-pvt-micro", "stages/0/blocks/0/pos_embed", "resized from [1, 32, 56, 56] to [1, 32, 16, 16]"),
        Arguments.of("u-swin-micro", "stages/3/blocks/1/mixer/relative_position_bias_table",
            "resized from [169, 8] to [9, 8]"));
  }

  @Test
  void deitTokensEmbeddingsAndLinears() {
    try (Imported deit = Imported.of("deit-tiny-distilled")) {
      Map<String, RawTensor> v = deit.plan(deit.checkpoint.stateDict()).values();
      deit.assertSameOrder(v, "dist_token", "dist_token");
      deit.assertSameOrder(v, "pos_embed", "pos_embed");
      deit.assertConvToHwio(v, "patch_embed/proj/kernel", "patch_embed.proj.weight");
      deit.assertLinearTransposed(v, "blocks/11/attn/qkv/kernel", "blocks.11.attn.qkv.weight");
      deit.assertLinearTransposed(v, "head_dist/kernel", "head_dist.weight");
      deit.assertSameOrder(v, "blocks/3/norm2/gamma", "blocks.3.norm2.weight");
    }
  }

  @Test
  void shiftVitPointwiseConvsAndMerging() {
    try (Imported shiftVit = Imported.of("shiftvit-light-tiny")) {
      Map<String, RawTensor> v = shiftVit.plan(shiftVit.checkpoint.stateDict()).values();
      shiftVit.assertConvToHwio(v, "layers/2/blocks/5/mlp/fc1/kernel", "layers.2.blocks.5.mlp.fc1.weight");
      shiftVit.assertConvToHwio(v, "layers/1/downsample/reduction/kernel", "layers.1.downsample.reduction.weight");
      shiftVit.assertSameOrder(v, "layers/0/downsample/norm/beta", "layers.0.downsample.norm.bias");
      shiftVit.assertLinearTransposed(v, "head/kernel", "head.weight");
    }
  }

  @Test
  void haloLayerScalesRelativeLogitsAndKv() {
    try (Imported halo = Imported.of("u-halo-micro")) {
      Map<String, RawTensor> v = halo.plan(halo.checkpoint.stateDict()).values();
      // stored [1, 1, 1, C] because it multiplies an NHWC map
      assertThat(halo.checkpoint.shape("stages.2.4.gamma_1")).containsExactly(1, 1, 1, 128);
      halo.assertSameOrder(v, "stages/2/blocks/4/layer_scale1/gamma", "stages.2.4.gamma_1");
      halo.assertSameOrder(v, "stages/1/blocks/1/mixer/width_rel", "stages.1.1.attn.pos_embed.width_rel");
      halo.assertConvToHwio(v, "stages/0/blocks/1/mixer/kv/kernel", "stages.0.1.attn.kv.weight");
      halo.assertLinearTransposed(v, "stages/3/blocks/0/mixer/q/kernel", "stages.3.0.attn.q.weight");
      // the skeleton: stem conv, head BatchNorm statistics, 1x1 conv head
      halo.assertConvToHwio(v, "stem/conv2/kernel", "downsample_layers.0.stem.3.weight");
      halo.assertSameOrder(v, "head/bn/moving_variance", "conv_head.1.running_var");
      halo.assertConvToHwio(v, "head/conv/kernel", "conv_head.0.weight");
    }
  }

  @Test
  void swinDropsDerivedBuffersAndKeepsTheBiasTable() {
    try (Imported swin = Imported.of("u-swin-micro")) {
      // the synthetic state dict does hold the buffers: shifted blocks' masks and every index
      assertThat(swin.checkpoint.keys()).contains("stages.0.1.attn_mask", "stages.2.3.attn.relative_position_index")
          .doesNotContain("stages.0.0.attn_mask", "stages.3.1.attn_mask");
      Map<String, RawTensor> v = swin.plan(swin.checkpoint.stateDict()).values();
      swin.assertSameOrder(v, "stages/2/blocks/3/mixer/relative_position_bias_table",
          "stages.2.3.attn.relative_position_bias_table");
      swin.assertLinearTransposed(v, "stages/1/blocks/0/mixer/qkv/kernel", "stages.1.0.attn.qkv.weight");
      swin.assertSameOrder(v, "stages/1/blocks/1/layer_scale2/gamma", "stages.1.1.gamma_2");
    }
  }

  @Test
  void pvtGridEmbeddingsToNhwcAndReductionConvs() {
    try (Imported pvt = Imported.of("u-pvt-micro")) {
      Map<String, RawTensor> v = pvt.plan(pvt.checkpoint.stateDict()).values();
      for (int stage = 0; stage < 4; stage++) {
        String key = "stages." + stage + ".0.pos_embed";
        long[] nchw = pvt.checkpoint.shape(key);
        int channels = (int) nchw[1];
        int side = (int) nchw[2];
        RawTensor nhwc = v.get("stages/" + stage + "/blocks/0/pos_embed");
        assertThat(nhwc.shape()).containsExactly(1, side, side, channels);
        float[] expected = new float[side * side * channels];
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            for (int c = 0; c < channels; c++) {
              expected[(y * side + x) * channels + c] = SyntheticCheckpoint.value(key, (c * side + y) * side + x);
            }
          }
        }
        assertThat(nhwc.values()).isEqualTo(expected);
      }
      pvt.assertConvToHwio(v, "stages/1/blocks/1/mixer/sr/kernel", "stages.1.1.attn.sr.weight");
      pvt.assertLinearTransposed(v, "stages/2/blocks/2/mixer/kv/kernel", "stages.2.2.attn.kv.weight");
      pvt.assertSameOrder(v, "stages/0/blocks/1/mixer/norm/gamma", "stages.0.1.attn.norm.weight");
    }
  }

  @Test
  void dcnV3DepthwiseConvAndProjections() {
    try (Imported dcn = Imported.of("u-dcnv3-micro")) {
      Map<String, RawTensor> v = dcn.plan(dcn.checkpoint.stateDict()).values();
      // depthwise [C, 1, 3, 3] -> [3, 3, C, 1]: kernel[h][w][c][0] = weight[c][0][h][w]
      String key = "stages.2.5.attn.dw_conv.0.weight";
      RawTensor dw = v.get("stages/2/blocks/5/mixer/dw_conv/conv/kernel");
      assertThat(dw.shape()).containsExactly(3, 3, 128, 1);
      float[] expected = new float[9 * 128];
      for (int h = 0; h < 3; h++) {
        for (int w = 0; w < 3; w++) {
          for (int c = 0; c < 128; c++) {
            expected[(h * 3 + w) * 128 + c] = SyntheticCheckpoint.value(key, c * 9 + h * 3 + w);
          }
        }
      }
      assertThat(dw.values()).isEqualTo(expected);
      dcn.assertSameOrder(v, "stages/2/blocks/5/mixer/dw_conv/norm/beta", "stages.2.5.attn.dw_conv.1.norm.bias");
      dcn.assertLinearTransposed(v, "stages/3/blocks/1/mixer/sampling_offsets/kernel",
          "stages.3.1.attn.sampling_offsets.weight");
      dcn.assertSameOrder(v, "stages/0/blocks/0/layer_scale2/gamma", "stages.0.0.gamma2");
    }
  }

  /** A registered model built (inference only) beside its reference's synthetic state dict. */
  private record Imported(String model, Graph graph, BuiltModel built, SyntheticCheckpoint checkpoint)
      implements AutoCloseable {
    static Imported of(String model) {
      return of(model, 224);
    }

    /** The model built for {@code imageSize}, beside the reference checkpoint (made at 224). */
    static Imported of(String model, int imageSize) {
      return of(ModelRegistry.get(model), imageSize);
    }

    /** A variant of one's own beside the reference checkpoint of the registered model it names. */
    static Imported of(ModelEntry entry, int imageSize) {
      Graph graph = new Graph();
      BuiltModel built = BuiltModel.build(entry, ModelOptions.imagenet().withImageSize(imageSize), graph, 0L, 1, true);
      return new Imported(entry.name(), graph, built, ReferenceStateDicts.all().get(entry.reference()).get());
    }

    List<ModelVariable> importedVariables() {
      return built.model().variables().values().stream().filter(ReferenceLayout::imported).toList();
    }

    KeyMap keyMap() {
      return ModelRegistry.keyMap(built.entry());
    }

    WeightImporter.Plan plan(StateDict stateDict) {
      return WeightImporter.plan(model, stateDict, built.model().variables().values(), keyMap());
    }

    /** Same elements in the same order, only unit axes may differ (norms, biases, tokens, tables, scales). */
    void assertSameOrder(Map<String, RawTensor> values, String variable, String key) {
      RawTensor v = values.get(variable);
      assertThat(v.shape()).containsExactly(built.model().variables().get(variable).shape().asArray());
      assertThat(Layouts.squeezed(v.shape())).containsExactly(Layouts.squeezed(checkpoint.shape(key)));
      float[] expected = new float[v.values().length];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = SyntheticCheckpoint.value(key, i);
      }
      assertThat(v.values()).isEqualTo(expected);
    }

    /** Linear {@code [out, in]} to kernel {@code [in, out]}. */
    void assertLinearTransposed(Map<String, RawTensor> values, String variable, String key) {
      long[] s = checkpoint.shape(key);
      int out = (int) s[0];
      int in = (int) s[1];
      RawTensor kernel = values.get(variable);
      assertThat(kernel.shape()).containsExactly(in, out);
      float[] expected = new float[in * out];
      for (int i = 0; i < in; i++) {
        for (int o = 0; o < out; o++) {
          expected[i * out + o] = SyntheticCheckpoint.value(key, o * in + i);
        }
      }
      assertThat(kernel.values()).isEqualTo(expected);
    }

    /** Conv {@code [O, I, KH, KW]} to HWIO {@code [KH, KW, I, O]}. */
    void assertConvToHwio(Map<String, RawTensor> values, String variable, String key) {
      long[] s = checkpoint.shape(key);
      int o = (int) s[0];
      int in = (int) s[1];
      int kh = (int) s[2];
      int kw = (int) s[3];
      RawTensor kernel = values.get(variable);
      assertThat(kernel.shape()).containsExactly(kh, kw, in, o);
      float[] expected = new float[kh * kw * in * o];
      for (int h = 0; h < kh; h++) {
        for (int w = 0; w < kw; w++) {
          for (int i = 0; i < in; i++) {
            for (int c = 0; c < o; c++) {
              expected[((h * kw + w) * in + i) * o + c] = SyntheticCheckpoint.value(key, ((c * in + i) * kh + h) * kw + w);
            }
          }
        }
      }
      assertThat(kernel.values()).isEqualTo(expected);
    }

    @Override
    public void close() {
      graph.close();
    }
  }
}
