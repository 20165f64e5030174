package org.stmzoo.layers.unified;

import static org.stmzoo.layers.core.ConfigChecks.finite;
import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveEach;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.stmzoo.layers.basic.Activations;
import org.stmzoo.layers.basic.BatchNorm;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.DropPathSchedule;
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
      // copies: a caller changing its arrays later must not change a built model's config
      depths = depths.clone();
      dims = dims.clone();
      if (depths.length != 4 || dims.length != 4) {
        throw new IllegalArgumentException("the unified skeleton has 4 stages");
      }
      if (imageSize % 32 != 0 || imageSize <= 0) {
        throw new IllegalArgumentException(
            "image size must be a positive multiple of 32 (the skeleton downsamples 32x), got " + imageSize);
      }
      positiveEach("UnifiedSkeleton.Config.depths", depths);
      positiveEach("UnifiedSkeleton.Config.dims", dims);
      if (dims[0] < 2) {
        throw new IllegalArgumentException(
            "UnifiedSkeleton.Config.dims[0] must be >= 2 (the stem's first conv has dims[0] / 2 channels), got "
                + dims[0]);
      }
      positive("UnifiedSkeleton.Config.inChannels", inChannels);
      positive("UnifiedSkeleton.Config.numClasses", numClasses);
      rate("UnifiedSkeleton.Config.dropPathRate", dropPathRate);
      // any number: 0 or below builds no layer scale (UnifiedBlock), as in the reference
      finite("UnifiedSkeleton.Config.layerScaleInit", layerScaleInit);
      positiveFinite("UnifiedSkeleton.Config.headRatio", headRatio);
      if ((int) (dims[3] * headRatio) < 1) {
        throw new IllegalArgumentException("UnifiedSkeleton.Config.headRatio " + headRatio + " leaves the head conv "
            + "of dims[3] = " + dims[3] + " without channels");
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

    float[] dropPaths = DropPathSchedule.linear(config.dropPathRate(), config.totalBlocks());
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
        stageBlocks.add(blocks.create(stage.child("blocks").child(j), new BlockFactory.BlockContext(i, j, global,
            dims[i], size, size, dropPaths[global], config.layerScaleInit())));
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

  @Override
  public ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training) {
    int streams = scope.model().rowStreams();
    return callInBands(images, training, MapBands.divides(Shapes.dim(images, 1), streams) ? streams : 1);
  }

  /**
   * The network on {@code streams} horizontal bands (a graph built with row streams, {@link MapBands}; one band is
   * the plain graph, op for op): the image is cut once and stays in bands through the stem, the downsampling
   * convolutions (each band with its neighbours' halo rows, {@link Conv2D#callBands}; where the output does not
   * split into equal bands, nearly even ones, {@link Conv2D#callBandsNearlyEvenly}: 14 rows in two bands of 7 to
   * the last stage's 7 rows as 4 and 3), the norms, every stage whose blocks take such bands (bands of different
   * heights need {@link BandedLayer#takesUnevenBands}; the unified block takes them, running a mixer that does not
   * on the joined map) and the head's position-wise layers. The map joins for the pooling, and where a
   * convolution's output has fewer rows than bands. Independent chains except for halo rows and what the mixers
   * exchange.
   */
  private ClassifierOutput callInBands(Operand<TFloat32> images, Operand<TBool> training, int streams) {
    List<Operand<TFloat32>> x = MapBands.split(tf, images, streams);
    x = convolve(stemConv1, x, training);
    x = MapBands.each(x, b -> Activations.gelu(tf, stemNorm1.call(b, training), training));
    x = convolve(stemConv2, x, training);
    x = MapBands.each(x, b -> stemNorm2.call(b, training));
    for (int i = 0; i < 4; i++) {
      if (i > 0) {
        LayerNorm norm = downsampleNorms.get(i - 1);
        x = MapBands.each(convolve(downsampleConvs.get(i - 1), x, training), b -> norm.call(b, training));
      }
      List<Layer> blocks = stages.get(i);
      boolean banded = blocks.stream().allMatch(MapBands::takesBands);
      if (x.size() == 1 && banded && streams > 1) {
        int height = Shapes.dim(x.get(0), 1);
        if (MapBands.divides(height, streams)) {
          x = MapBands.split(tf, x.get(0), streams);
        } else if (height >= streams && blocks.stream().allMatch(MapBands::takesUnevenBands)) {
          x = MapBands.splitNearlyEvenly(tf, x.get(0), streams);
        }
      }
      if (x.size() > 1 && (!banded || !MapBands.even(x) && !blocks.stream().allMatch(MapBands::takesUnevenBands))) {
        x = List.of(MapBands.join(tf, x));
      }
      for (Layer block : blocks) {
        x = x.size() > 1 ? ((BandedLayer) block).callBands(x, training) : List.of(block.call(x.get(0), training));
      }
      LayerNorm norm = stageNorms.get(i);
      x = MapBands.each(x, b -> norm.call(b, training));
      scope.model().recordFeature("stage" + i, MapBands.join(tf, x));
    }
    return head(x, training);
  }

  /**
   * A convolution on bands: into equal bands where its output splits so ({@link Conv2D#callBands}), else into
   * nearly even ones, else (an output thinner than the bands' count) on the joined map, one band.
   */
  private List<Operand<TFloat32>> convolve(Conv2D conv, List<Operand<TFloat32>> bands, Operand<TBool> training) {
    if (bands.size() > 1) {
      Optional<List<Operand<TFloat32>>> banded = conv.callBands(bands);
      if (banded.isPresent()) {
        return banded.get();
      }
      Optional<List<Operand<TFloat32>>> nearlyEven = conv.callBandsNearlyEvenly(bands, bands.size());
      if (nearlyEven.isPresent()) {
        return nearlyEven.get();
      }
    }
    return List.of(conv.call(MapBands.join(tf, bands), training));
  }

  /**
   * The head on bands: its convolution, BatchNorm (inference statistics: bands exist only in inference graphs) and
   * GELU are position-wise, so each band goes through them alone; the map joins for the pooling.
   */
  private ClassifierOutput head(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    Operand<TFloat32> x = MapBands.join(tf, MapBands.each(bands, b ->
        Activations.gelu(tf, headNorm.call(headConv.call(b, training), training), training)));
    Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
    scope.model().recordFeature("pooled", pooled);
    // With bands (batch 1) the classifier's time is reading its kernel for one row: a share of it per band.
    return ClassifierOutput.of(classifier.callSplitByInputs(pooled, bands.size()), pooled);
  }
}
