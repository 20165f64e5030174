package org.stmzoo.layers.unified;

import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.basic.Activations;
import org.stmzoo.layers.basic.BatchNorm;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * STM-Evaluation's MetaArch, the skeleton every U-model shares; only the {@link BlockFactory} differs.
 * <pre>
 * stem:        conv3x3 s2 p1 (in -> d0/2, bias) -> LN -> GELU -> conv3x3 s2 p1 (-> d0, bias) -> LN
 * stage i:     [downsample: conv3x3 s2 p1 no bias -> LN] (i > 0) -> blocks -> LN
 * head:        conv1x1 (d3 -> 1.5 d3, no bias) -> BatchNorm -> GELU -> global average pool -> Linear
 * </pre>
 * Skeleton LayerNorms use eps 1e-6; the drop-path rate rises linearly from 0 over all blocks.
 * Variable paths: {@code stem/conv1|norm1|conv2|norm2}, {@code downsamples/i/conv|norm},
 * {@code stages/i/blocks/j/...}, {@code stages/i/norm}, {@code head/conv|bn|fc}.
 */
public final class UnifiedSkeleton implements ImageClassifier {
  public static final float NORM_EPS = 1e-6f;

  public record Config(int[] depths, int[] dims, int inChannels, int numClasses, int imageSize,
      float dropPathRate, float layerScaleInit, double headRatio) {
    public Config {
      if (depths.length != 4 || dims.length != 4) {
        throw new IllegalArgumentException("the unified skeleton has 4 stages");
      }
      if (imageSize % 32 != 0 || imageSize <= 0) {
        throw new IllegalArgumentException(
            "image size must be a positive multiple of 32 (the skeleton downsamples 32x), got " + imageSize);
      }
    }

    public static Config of(int[] depths, int[] dims, int inChannels, int numClasses, int imageSize,
        float dropPathRate) {
      return new Config(depths, dims, inChannels, numClasses, imageSize, dropPathRate, 1e-6f, 1.5);
    }

    public int totalBlocks() {
      int total = 0;
      for (int d : depths) {
        total += d;
      }
      return total;
    }
  }

  private final Config config;
  private final Ops tf;
  private final LayerScope scope;
  private final Conv2D stemConv1;
  private final LayerNorm stemNorm1;
  private final Conv2D stemConv2;
  private final LayerNorm stemNorm2;
  private final List<Conv2D> downsampleConvs = new ArrayList<>();
  private final List<LayerNorm> downsampleNorms = new ArrayList<>();
  private final List<List<Layer>> stages = new ArrayList<>();
  private final List<LayerNorm> stageNorms = new ArrayList<>();
  private final Conv2D headConv;
  private final BatchNorm headNorm;
  private final Dense classifier;

  public UnifiedSkeleton(LayerScope scope, Config config, BlockFactory blocks) {
    this.config = config;
    this.scope = scope;
    this.tf = scope.tf();
    int[] dims = config.dims();
    LayerScope stem = scope.child("stem");
    int half = dims[0] / 2;
    stemConv1 = new Conv2D(stem.child("conv1"), Conv2D.Config.of(config.inChannels(), half, 3, 2, Padding.explicit(1), true));
    stemNorm1 = new LayerNorm(stem.child("norm1"), half, NORM_EPS);
    stemConv2 = new Conv2D(stem.child("conv2"), Conv2D.Config.of(half, dims[0], 3, 2, Padding.explicit(1), true));
    stemNorm2 = new LayerNorm(stem.child("norm2"), dims[0], NORM_EPS);

    int total = config.totalBlocks();
    int global = 0;
    int size = config.imageSize() / 4;
    for (int i = 0; i < 4; i++) {
      if (i > 0) {
        LayerScope down = scope.child("downsamples").child(i);
        downsampleConvs.add(new Conv2D(down.child("conv"),
            Conv2D.Config.of(dims[i - 1], dims[i], 3, 2, Padding.explicit(1), false)));
        downsampleNorms.add(new LayerNorm(down.child("norm"), dims[i], NORM_EPS));
        size /= 2;
      }
      LayerScope stage = scope.child("stages").child(i);
      List<Layer> stageBlocks = new ArrayList<>();
      for (int j = 0; j < config.depths()[i]; j++, global++) {
        // torch.linspace(0, rate, total)[global]
        float dp = total == 1 ? 0f : (float) (config.dropPathRate() * global / (total - 1));
        stageBlocks.add(blocks.create(stage.child("blocks").child(j),
            new BlockFactory.BlockContext(i, j, global, dims[i], size, size, dp, config.layerScaleInit())));
      }
      stages.add(stageBlocks);
      stageNorms.add(new LayerNorm(stage.child("norm"), dims[i], NORM_EPS));
    }
    int headDim = (int) (dims[3] * config.headRatio());
    LayerScope head = scope.child("head");
    headConv = new Conv2D(head.child("conv"), Conv2D.Config.of(dims[3], headDim, 1, 1, Padding.valid(), false));
    headNorm = new BatchNorm(head.child("bn"), BatchNorm.Config.torchDefault(headDim));
    classifier = new Dense(head.child("fc"), headDim, config.numClasses(), true);
  }

  public Config config() {
    return config;
  }

  /**
   * A stage's blocks in order. In a graph built with row streams ({@link org.stmzoo.layers.core.ModelGraph}), a
   * stage whose blocks all take bands runs as that many horizontal bands from its first block to its last,
   * joined once at the end: independent chains except where a mixer exchanges rows.
   */
  private Operand<TFloat32> callStage(List<Layer> blocks, Operand<TFloat32> x, Operand<TBool> training) {
    int streams = scope.model().rowStreams();
    boolean banded = streams > 1 && MapBands.divides(Shapes.dim(x, 1), streams, 1)
        && blocks.stream().allMatch(b -> b instanceof BandedLayer l && l.takesBands());
    if (!banded) {
      for (Layer block : blocks) {
        x = block.call(x, training);
      }
      return x;
    }
    List<Operand<TFloat32>> bands = MapBands.split(tf, x, streams);
    for (Layer block : blocks) {
      bands = ((BandedLayer) block).callBands(bands, training);
    }
    return MapBands.join(tf, bands);
  }

  @Override
  public ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training) {
    Operand<TFloat32> x = stemConv1.call(images, training);
    x = Activations.gelu(tf, stemNorm1.call(x, training));
    x = stemNorm2.call(stemConv2.call(x, training), training);
    for (int i = 0; i < 4; i++) {
      if (i > 0) {
        x = downsampleNorms.get(i - 1).call(downsampleConvs.get(i - 1).call(x, training), training);
      }
      x = callStage(stages.get(i), x, training);
      x = stageNorms.get(i).call(x, training);
      scope.model().recordFeature("stage" + i, x);
    }
    x = Activations.gelu(tf, headNorm.call(headConv.call(x, training), training));
    Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
    scope.model().recordFeature("pooled", pooled);
    return ClassifierOutput.of(classifier.call(pooled, training), pooled);
  }

}
