package org.stmzoo.layers.shiftvit;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveEach;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.DropPathSchedule;
import org.stmzoo.layers.basic.GroupNorm;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.basic.Sequential;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * SPACH's {@code ShiftViT} (models/shiftvit.py) with its default GN1 norm and GELU, on NHWC maps:
 * <pre>
 * patch_embed: conv4x4 s4 (in -> C, bias) -> GN1
 * layers/i:    blocks (dim C * 2^i) -> [downsample: GN1 -> conv2x2 s2 (-> 2 dim, no bias)] (i < 3)
 * head:        GN1 -> global average pool -> Linear
 * </pre>
 * GN1 is {@code GroupNorm(1, C)} with PyTorch's eps 1e-5, which the reference uses as its LayerNorm stand-in
 * for NCHW maps. Convolutions and the head are trunc-normal(0.02) with zero bias, norms ones/zeros, as the
 * reference's {@code _init_weights}. The drop-path rate rises linearly from 0 over all blocks. Variable
 * paths mirror the reference state_dict: {@code patch_embed/proj|norm}, {@code layers/i/blocks/j/...},
 * {@code layers/i/downsample/norm|reduction}, {@code norm}, {@code head}.
 */
public final class ShiftVitNetwork implements ImageClassifier {
  public static final float NORM_EPS = 1e-5f;
  static final int PATCH_SIZE = 4;

  /**
   * @param embedDim channels of the first stage; stage i has {@code embedDim * 2^i}
   * @param depths blocks per stage
   * @param nDiv channel groups of the shift
   */
  public record Config(int embedDim, int[] depths, double mlpRatio, int nDiv, int inChannels, int numClasses,
      float dropPathRate) {
    public Config {
      depths = depths.clone();
      if (depths.length == 0) {
        throw new IllegalArgumentException("ShiftViT needs at least one stage");
      }
      positive("ShiftVitNetwork.Config.embedDim", embedDim);
      positiveEach("ShiftVitNetwork.Config.depths", depths);
      positiveFinite("ShiftVitNetwork.Config.mlpRatio", mlpRatio);
      positive("ShiftVitNetwork.Config.nDiv", nDiv);
      positive("ShiftVitNetwork.Config.inChannels", inChannels);
      positive("ShiftVitNetwork.Config.numClasses", numClasses);
      rate("ShiftVitNetwork.Config.dropPathRate", dropPathRate);
    }

    public int dim(int stage) {
      return embedDim << stage;
    }

    /** Channels after the last stage, which the final norm and the head see. */
    public int numFeatures() {
      return dim(depths.length - 1);
    }

    /** The image must shrink to whole pixels: 4 in the stem, 2 per patch merging. */
    public int downsampling() {
      return PATCH_SIZE << (depths.length - 1);
    }

    @Override
    public String toString() {
      return "embed_dim=" + embedDim + " depths=" + Arrays.toString(depths) + " mlp_ratio=" + mlpRatio
          + " n_div=" + nDiv;
    }
  }

  private final Ops tf;
  private final LayerScope scope;
  private final Layer patchEmbed;
  private final List<Sequential> stages = new ArrayList<>();
  private final List<Layer> downsamples = new ArrayList<>();
  private final Layer norm;
  private final Dense head;

  public ShiftVitNetwork(LayerScope scope, Config config) {
    this.scope = scope;
    this.tf = scope.tf();
    LayerScope embed = scope.child("patch_embed");
    Conv2D proj = new Conv2D(embed.child("proj"),
        Conv2D.Config.of(config.inChannels(), config.embedDim(), PATCH_SIZE, PATCH_SIZE, Padding.valid(), true));
    int rowStreams = scope.model().rowStreams();
    this.patchEmbed = Sequential.of((images, training) -> proj.callInOutputBands(images, rowStreams),
        groupNorm1(embed.child("norm"), config.embedDim()));

    int[] depths = config.depths();
    float[] dropPath = DropPathSchedule.linear(config.dropPathRate(), Arrays.stream(depths).sum());
    int global = 0;
    for (int i = 0; i < depths.length; i++) {
      LayerScope layer = scope.child("layers").child(i);
      List<Layer> blocks = new ArrayList<>();
      for (int j = 0; j < depths[i]; j++, global++) {
        blocks.add(new ShiftVitBlock(layer.child("blocks").child(j),
            new ShiftVitBlock.Config(config.dim(i), config.nDiv(), config.mlpRatio(), dropPath[global])));
      }
      stages.add(new Sequential(blocks));
      downsamples.add(i < depths.length - 1
          ? new PatchMerging(layer.child("downsample"), config.dim(i))
          : Layer.identity());
    }
    this.norm = groupNorm1(scope.child("norm"), config.numFeatures());
    this.head = new Dense(scope.child("head"), config.numFeatures(), config.numClasses(), true);
  }

  /** ShiftViT's norm everywhere: one group over all channels, PyTorch's eps. */
  static Layer groupNorm1(LayerScope scope, int channels) {
    return new GroupNorm(scope, new GroupNorm.Config(1, channels, NORM_EPS));
  }

  @Override
  public ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training) {
    Operand<TFloat32> x = patchEmbed.call(images, training);
    for (int i = 0; i < stages.size(); i++) {
      x = stages.get(i).call(x, training);
      scope.model().recordFeature("stage" + i, x);
      x = downsamples.get(i).call(x, training);
    }
    Operand<TFloat32> pooled = tf.math.mean(norm.call(x, training), tf.constant(new int[] {1, 2}));
    scope.model().recordFeature("pooled", pooled);
    // In row streams (batch 1) the head's time is reading its kernel for one row: a share of it per stream.
    return ClassifierOutput.of(head.callSplitByInputs(pooled, scope.model().rowStreams()), pooled);
  }
}
