package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.positive;

import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A vision transformer's patch embedding: one convolution with kernel {@code patch} and stride {@code stride},
 * no padding, PyTorch's default init (neither timm's ViT nor PiT re-initialises it). {@code stride == patch}
 * cuts the image into disjoint patches (ViT/DeiT); PiT overlaps them (patch 16, stride 8). The variables
 * ({@code kernel}, {@code bias}) live directly under the scope given, named after the reference's conv
 * ({@code patch_embed/proj} in timm's ViT, {@code patch_embed/conv} in PiT).
 */
public final class PatchEmbedding implements Layer {
  public record Config(int inChannels, int dim, int patch, int stride) {
    public Config {
      positive("PatchEmbedding.Config.inChannels", inChannels);
      positive("PatchEmbedding.Config.dim", dim);
      positive("PatchEmbedding.Config.patch", patch);
      positive("PatchEmbedding.Config.stride", stride);
    }

    /** Output side length of a square {@code imageSize} input (PyTorch's floor rule), 0 if smaller than a patch. */
    public int gridSize(int imageSize) {
      return imageSize < patch ? 0 : (imageSize - patch) / stride + 1;
    }
  }

  private final Config config;
  private final Ops tf;
  private final Conv2D conv;
  private final int rowStreams;

  public PatchEmbedding(LayerScope convScope, Config config) {
    this.config = config;
    this.tf = convScope.tf();
    this.rowStreams = convScope.model().rowStreams();
    this.conv = new Conv2D(convScope, Conv2D.Config.torchDefault(
        config.inChannels(), config.dim(), config.patch(), config.stride(), Padding.valid(), 1, true));
  }

  public Config config() {
    return config;
  }

  /**
   * NHWC images to the NHWC map of patch embeddings {@code [B, grid, grid, dim]}. In a graph built with row
   * streams the map is computed as that many bands of output rows, each from the band of image rows its patches
   * cover (overlapping by {@code patch - stride} rows where the patches overlap, as in PiT), so that the
   * convolution, the largest op before the first block and otherwise run on one thread, runs on all of them.
   */
  @Override
  public Operand<TFloat32> call(Operand<TFloat32> images, Operand<TBool> training) {
    return conv.callInOutputBands(images, rowStreams);
  }

  /** The same embeddings as tokens {@code [B, grid*grid, dim]}, row-major as PyTorch's {@code flatten(2)}. */
  public Operand<TFloat32> tokens(Operand<TFloat32> images, Operand<TBool> training) {
    return Tokens.fromMap(tf, call(images, training));
  }
}
