package org.stmzoo.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmzoo.layers.attention.ConvTokenPooling;
import org.stmzoo.layers.attention.MultiHeadSelfAttention;
import org.stmzoo.layers.attention.TokenClassifierHead;
import org.stmzoo.layers.attention.TransformerBlock;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.GroupNorm;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.LayerScale;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.basic.MapPositionEmbedding;
import org.stmzoo.layers.basic.Mlp;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.basic.PatchEmbedding;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.mixers.ConvNeXtMixer;
import org.stmzoo.layers.mixers.DeformableConvV3;
import org.stmzoo.layers.mixers.HaloAttention;
import org.stmzoo.layers.mixers.SpatialReductionAttention;
import org.stmzoo.layers.mixers.SwinMixer;
import org.stmzoo.layers.mixers.WindowAttention;
import org.stmzoo.layers.shiftvit.ShiftVitBlock;
import org.stmzoo.layers.shiftvit.ShiftVitNetwork;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.layers.vit.PoolingVisionTransformer;
import org.stmzoo.layers.vit.VisionTransformer;

/**
 * Each layer config refuses an out-of-range value where it is given, with an IllegalArgumentException naming the
 * record, the field and the value, instead of a division by zero, a negative array size or a TF error later.
 */
class ConfigRefusalsTest {
  private static final int[] FOUR = {1, 1, 1, 1};
  private static final int[] DIMS = {8, 16, 32, 64};

  /** A config construction that must fail. */
  @FunctionalInterface
  interface Construction {
    Object build();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        refused("MultiHeadSelfAttention.Config.heads must be >= 1, got 0",
            () -> new MultiHeadSelfAttention.Config(64, 0, true, 0f, 0f)),
        refused("MultiHeadSelfAttention.Config.heads must be >= 1, got -2",
            () -> new MultiHeadSelfAttention.Config(64, -2, true, 0f, 0f)),
        refused("MultiHeadSelfAttention.Config.attnDrop must be in [0, 1), got NaN",
            () -> new MultiHeadSelfAttention.Config(64, 2, true, Float.NaN, 0f)),
        refused("WindowAttention.Config.heads must be >= 1, got 0", () -> new WindowAttention.Config(8, 0, 7)),
        refused("WindowAttention.Config.windowSize must be >= 1, got 0", () -> new WindowAttention.Config(8, 2, 0)),
        refused("dim 10 is not divisible by 4 heads", () -> new WindowAttention.Config(10, 4, 7)),
        refused("dim 10 is not divisible by 4 heads", () -> new HaloAttention.Config(10, 4, 7, 3)),
        refused("dim 10 is not divisible by 4 heads", () -> new MultiHeadSelfAttention.Config(10, 4, true, 0f, 0f)),
        refused("SpatialReductionAttention.Config.heads must be >= 1, got 0",
            () -> SpatialReductionAttention.Config.of(8, 0, 1)),
        refused("SpatialReductionAttention.Config.srRatio must be >= 1, got 0",
            () -> SpatialReductionAttention.Config.of(8, 2, 0)),
        refused("HaloAttention.Config.heads must be >= 1, got 0", () -> new HaloAttention.Config(16, 0, 7, 3)),
        refused("HaloAttention.Config.haloSize must be >= 0, got -1", () -> new HaloAttention.Config(16, 2, 7, -1)),
        refused("HaloAttention.Config.blockSize must be >= 1, got 0", () -> new HaloAttention.Config(16, 2, 0, 0)),
        refused("GroupNorm.Config.groups must be >= 1, got 0", () -> new GroupNorm.Config(0, 8, 1e-5f)),
        refused("GroupNorm.Config.eps must be > 0 and finite, got NaN", () -> new GroupNorm.Config(1, 8, Float.NaN)),
        refused("Conv2D.Config.groups must be >= 1, got 0",
            () -> Conv2D.Config.of(4, 4, 3, 1, Padding.same(3), true).withGroups(0)),
        refused("Conv2D.Config.stride must be >= 1, got 0", () -> Conv2D.Config.of(4, 4, 3, 0, Padding.valid(), true)),
        refused("Conv2D.Config.kernelH must be >= 1, got 0",
            () -> new Conv2D.Config(4, 4, 0, 3, 1, Padding.valid(), 1, true, Initializer.zeros(), Initializer.zeros())),
        refused("Conv2D.Config.outChannels must be >= 1, got -4",
            () -> Conv2D.Config.of(4, -4, 3, 1, Padding.valid(), true)),
        refused("Padding.top must be >= 0, got -1", () -> Padding.explicit(-1)),
        refused("Padding.right must be >= 0, got -2", () -> new Padding(0, 0, 0, -2, false)),
        refused("ConvTokenPooling.Config.inDim must be >= 1, got 0", () -> new ConvTokenPooling.Config(0, 8, 2)),
        refused("ConvTokenPooling.Config.stride must be >= 1, got 0", () -> new ConvTokenPooling.Config(4, 8, 0)),
        refused("SwinMixer.Config.windowSize must be >= 1, got 0", () -> new SwinMixer.Config(8, 2, 0, 7, 7, true)),
        refused("SwinMixer.Config.height must be >= 1, got 0", () -> new SwinMixer.Config(8, 2, 7, 0, 7, true)),
        refused("VisionTransformer.Config.patch must be >= 1, got 0",
            () -> new VisionTransformer.Config(32, 3, 10, 0, 16, 2, 2, 4.0, false, 0f)),
        refused("VisionTransformer.Config.depth must be >= 1, got -1",
            () -> new VisionTransformer.Config(32, 3, 10, 16, 16, -1, 2, 4.0, false, 0f)),
        refused("VisionTransformer.Config.dropPathRate must be in [0, 1), got 1.0",
            () -> new VisionTransformer.Config(32, 3, 10, 16, 16, 1, 2, 4.0, false, 1f)),
        refused("PoolingVisionTransformer.Config.stride must be >= 1, got 0",
            () -> pit(0, new int[] {1, 1}, new int[] {2, 4})),
        refused("PoolingVisionTransformer.Config.heads[1] must be >= 1, got 0",
            () -> pit(8, new int[] {1, 1}, new int[] {2, 0})),
        refused("PoolingVisionTransformer.Config.depths[0] must be >= 1, got -1",
            () -> pit(8, new int[] {-1, 1}, new int[] {2, 4})),
        refused("DeformableConvV3.Config.gridSize must be odd and >= 1",
            () -> new DeformableConvV3.Config(8, 2, -1, 3, 1e-5f)),
        refused("DeformableConvV3.Config.dwKernel must be odd and >= 1",
            () -> new DeformableConvV3.Config(8, 2, 3, 4, 1e-5f)),
        refused("DeformableConvV3.Config.groups must be >= 1, got 0", () -> DeformableConvV3.Config.of(8, 0)),
        refused("UnifiedSkeleton.Config.dims[2] must be >= 1, got -32",
            () -> UnifiedSkeleton.Config.of(FOUR, new int[] {8, 16, -32, 64}, 3, 10, 64, 0f)),
        refused("UnifiedSkeleton.Config.depths[3] must be >= 1, got 0",
            () -> UnifiedSkeleton.Config.of(new int[] {1, 1, 1, 0}, DIMS, 3, 10, 64, 0f)),
        refused("UnifiedSkeleton.Config.dims[0] must be >= 2",
            () -> UnifiedSkeleton.Config.of(FOUR, new int[] {1, 16, 32, 64}, 3, 10, 64, 0f)),
        refused("UnifiedSkeleton.Config.layerScaleInit must be finite, got NaN",
            () -> new UnifiedSkeleton.Config(FOUR, DIMS, 3, 10, 64, 0f, Float.NaN, 1.5)),
        refused("UnifiedSkeleton.Config.headRatio must be > 0 and finite, got 0.0",
            () -> new UnifiedSkeleton.Config(FOUR, DIMS, 3, 10, 64, 0f, 1e-6f, 0)),
        refused("UnifiedBlock.Config.normEps must be > 0 and finite, got 0.0",
            () -> new UnifiedBlock.Config((scope, context) -> null, 4.0, 0f, false)),
        refused("ShiftVitNetwork.Config.embedDim must be >= 1, got 0",
            () -> new ShiftVitNetwork.Config(0, new int[] {1, 1}, 2.0, 12, 3, 10, 0f)),
        refused("ShiftVitNetwork.Config.depths[1] must be >= 1, got 0",
            () -> new ShiftVitNetwork.Config(8, new int[] {1, 0}, 2.0, 12, 3, 10, 0f)),
        refused("ShiftVitBlock.Config.mlpRatio must be > 0 and finite, got NaN",
            () -> new ShiftVitBlock.Config(8, 12, Double.NaN, 0f)),
        refused("TransformerBlock.Config.heads must be >= 1, got 0",
            () -> new TransformerBlock.Config(8, 0, 4.0, true, 1e-6f, 0f, LinearInit.timm())),
        refused("TransformerBlock.Config.dropPath must be in [0, 1), got -0.1",
            () -> new TransformerBlock.Config(8, 2, 4.0, true, 1e-6f, -0.1f, LinearInit.timm())),
        refused("TokenClassifierHead.Config.numClasses must be >= 1, got 0",
            () -> new TokenClassifierHead.Config(8, 0, false, LinearInit.timm())),
        refused("Mlp.Config.hiddenFeatures must be >= 1, got 0", () -> Mlp.Config.of(8, 0.1)),
        refused("Dense.Config.outFeatures must be >= 1, got 0", () -> Dense.Config.of(8, 0, true)),
        refused("LayerNorm.Config.eps must be > 0 and finite, got -1.0E-6", () -> new LayerNorm.Config(8, -1e-6f)),
        refused("LayerNorm.Config.dim must be >= 1, got 0", () -> new LayerNorm.Config(0, 1e-6f)),
        refused("LayerScale.Config.init must be finite, got Infinity",
            () -> new LayerScale.Config(8, Float.POSITIVE_INFINITY, false)),
        refused("PatchEmbedding.Config.stride must be >= 1, got 0", () -> new PatchEmbedding.Config(3, 8, 4, 0)),
        refused("MapPositionEmbedding.Config.width must be >= 1, got 0",
            () -> new MapPositionEmbedding.Config(4, 0, 8, 0.02f, false)),
        refused("MapPositionEmbedding.Config.initStd must be finite, got NaN",
            () -> new MapPositionEmbedding.Config(4, 4, 8, Float.NaN, false)),
        refused("ConvNeXtMixer.Config.dim must be >= 1, got 0", () -> new ConvNeXtMixer.Config(0, 7)),
        refused("ConvNeXtMixer.Config.kernelSize must be odd and >= 1", () -> new ConvNeXtMixer.Config(8, 4)),
        refused("ConvNeXtMixer.Config.kernelSize must be odd and >= 1", () -> new ConvNeXtMixer.Config(8, 0)));
  }

  private static Arguments refused(String message, Construction construction) {
    return Arguments.of(message, construction);
  }

  private static PoolingVisionTransformer.Config pit(int stride, int[] depths, int[] heads) {
    return new PoolingVisionTransformer.Config(64, 3, 10, 16, stride, new int[] {8, 8}, depths, heads, 4.0, false,
        0f);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesWithAMessageNamingTheRecordTheFieldAndTheValue(String message, Construction construction) {
    assertThatThrownBy(construction::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  void arrayConfigsKeepTheirOwnCopies() {
    int[] depths = {1, 1, 1, 1};
    UnifiedSkeleton.Config unified = UnifiedSkeleton.Config.of(depths, DIMS.clone(), 3, 10, 64, 0f);
    int[] heads = {2, 4};
    PoolingVisionTransformer.Config pit = pit(8, new int[] {1, 1}, heads);
    depths[0] = 0;
    heads[1] = 0;
    assertThat(unified.depths()).containsExactly(1, 1, 1, 1);
    assertThat(pit.heads()).containsExactly(2, 4);
  }

  @Test
  void acceptsTheBoundaries() {
    assertThat(new HaloAttention.Config(8, 1, 1, 0).windowSize()).isEqualTo(1);
    assertThat(Padding.explicit(0).isZero()).isTrue();
    assertThat(new MultiHeadSelfAttention.Config(1, 1, true, 0f, 0.999f).headDim()).isEqualTo(1);
    assertThat(new UnifiedSkeleton.Config(FOUR, DIMS, 3, 10, 32, 0f, -1f, 1.5).layerScaleInit()).isEqualTo(-1f);
  }
}
