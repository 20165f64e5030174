package org.stmzoo.zoo.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.layers.basic.BatchNorm;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Small models with known answers, as model entries the analyses open like registered ones. */
final class TinyModels {
  private TinyModels() {}

  /** A test model's configuration: one line. */
  record Described(String describe) implements VariantConfig {}

  /**
   * Three 3x3 convolutions (stride 1, 2, 1; SAME padding; 1 -> 2 -> 2 -> 2 channels) with positive weights that
   * are symmetric under flips and transposition, ReLU between, the last output recorded as {@code stage0}. Its
   * receptive field is 9x9: {@code (((1 - 1) * 1 + 3 - 1) * 2 + 3 - 1) * 1 + 3}.
   */
  static ModelEntry positiveConvNet() {
    Preprocessing identity = new Preprocessing(new float[] {0f}, new float[] {1f}, 1f, "bicubic");
    return new ModelEntry("tiny-positive-convnet", "test", "none", 32, 0f, identity, new Described("3 positive convolutions"),
        size -> Optional.empty(), (scope, options, dropPath) -> (images, training) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> x = images;
          int[] strides = {1, 2, 1};
          int in = 1;
          for (int layer = 0; layer < 3; layer++) {
            x = tf.nn.conv2d(x, symmetricKernel(tf, in, 2, layer), List.of(1L, (long) strides[layer],
                (long) strides[layer], 1L), "SAME");
            x = layer < 2 ? tf.nn.relu(x) : x;
            in = 2;
          }
          scope.model().recordFeature("stage0", x);
          Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
          return ClassifierOutput.of(tf.linalg.matMul(pooled, tf.constant(new float[][] {{1, -1}, {-1, 1}})),
              pooled);
        });
  }

  /** {@link #linearConvNet()}'s kernels, {@code [output channel][dy][dx]}: mixed signs, so ReLU decides. */
  static final float[][][] LINEAR_KERNELS = {
      {{1, -2, 0}, {3, 1, -1}, {0, 2, 1}},
      {{2, 1, -3}, {-1, 1, 2}, {1, -1, 0}}};

  /**
   * One 3x3 convolution (stride 1, SAME, no bias, 1 -> 2 channels) with {@link #LINEAR_KERNELS}, recorded as
   * {@code stage0}; identity normalisation. The gradient of output channel o at (y, x) with respect to input
   * (y + dy - 1, x + dx - 1) is {@code LINEAR_KERNELS[o][dy][dx]}.
   */
  static ModelEntry linearConvNet() {
    Preprocessing identity = new Preprocessing(new float[] {0f}, new float[] {1f}, 1f, "bicubic");
    return new ModelEntry("tiny-linear-convnet", "test", "none", 8, 0f, identity,
        new Described("one linear convolution"), size -> Optional.empty(), (scope, options, dropPath) ->
        (images, training) -> {
          Ops tf = scope.tf();
          float[][][][] k = new float[3][3][1][2];
          for (int o = 0; o < 2; o++) {
            for (int dy = 0; dy < 3; dy++) {
              for (int dx = 0; dx < 3; dx++) {
                k[dy][dx][0][o] = LINEAR_KERNELS[o][dy][dx];
              }
            }
          }
          Operand<TFloat32> x = tf.nn.conv2d(images, tf.constant(StdArrays.ndCopyOf(k)), List.of(1L, 1L, 1L, 1L),
              "SAME");
          scope.model().recordFeature("stage0", x);
          Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
          return ClassifierOutput.of(pooled, pooled);
        });
  }

  /** Weights {@code 1 + 0.5 [centre row] + 0.25 [centre column] ...}: positive and symmetric in dy, dx. */
  private static Operand<TFloat32> symmetricKernel(Ops tf, int in, int out, int layer) {
    float[][][][] k = new float[3][3][in][out];
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 3; x++) {
        float w = 1f + (y == 1 ? 0.5f : 0f) + (x == 1 ? 0.5f : 0f) + 0.1f * layer;
        for (int i = 0; i < in; i++) {
          for (int o = 0; o < out; o++) {
            k[y][x][i][o] = w * (1 + 0.3f * i + 0.2f * o);
          }
        }
      }
    }
    return tf.constant(StdArrays.ndCopyOf(k));
  }

  /**
   * conv 3x3 s2 -> BatchNorm -> ReLU -> conv 3x3 s2 -> BatchNorm (recorded as {@code stage0}) -> mean -> Dense:
   * trainable variables and moving statistics, small enough for quick tests.
   */
  static ModelEntry convBatchNormNet() {
    return new ModelEntry("tiny-conv-bn", "test", "none", 16, 0f, Preprocessing.imagenet(), new Described("2 conv + BN"),
        size -> Optional.empty(), (scope, options, dropPath) -> {
          Conv2D conv1 = new Conv2D(scope.child("conv1"), Conv2D.Config.of(3, 8, 3, 2, Padding.same(3), false));
          BatchNorm bn1 = new BatchNorm(scope.child("bn1"), BatchNorm.Config.torchDefault(8));
          Conv2D conv2 = new Conv2D(scope.child("conv2"), Conv2D.Config.of(8, 8, 3, 2, Padding.same(3), false));
          BatchNorm bn2 = new BatchNorm(scope.child("bn2"), BatchNorm.Config.torchDefault(8));
          Dense head = new Dense(scope.child("head"), 8, options.numClasses(), true);
          return (images, training) -> {
            Ops tf = scope.tf();
            Operand<TFloat32> x = tf.nn.relu(bn1.call(conv1.call(images, training), training));
            x = bn2.call(conv2.call(x, training), training);
            scope.model().recordFeature("stage0", x);
            Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
            return ClassifierOutput.of(head.call(pooled, training), pooled);
          };
        });
  }

  /**
   * A linear softmax classifier {@code logits = flatten(normalised images) W + b} with fixed weights (a seeded
   * draw), normalising with mean/std per channel.
   */
  static LinearClassifier linear(int size, int classes, long seed) {
    Random random = new Random(seed);
    int features = size * size * 3;
    float[][] w = new float[features][classes];
    float[] b = new float[classes];
    for (int f = 0; f < features; f++) {
      for (int c = 0; c < classes; c++) {
        w[f][c] = (float) (0.05 * random.nextGaussian()); // moderate logits: softmax - onehot stays exact in float32
      }
    }
    for (int c = 0; c < classes; c++) {
      b[c] = (float) random.nextGaussian();
    }
    Preprocessing pre = new Preprocessing(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f}, 0.875f,
        "bicubic");
    ModelEntry entry = new ModelEntry("tiny-linear", "test", "none", size, 0f, pre, new Described("linear softmax classifier"),
        s -> Optional.empty(), (scope, options, dropPath) -> (images, training) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> flat = tf.reshape(images, tf.constant(new long[] {-1, features}));
          return ClassifierOutput.of(tf.math.add(tf.linalg.matMul(flat, tf.constant(StdArrays.ndCopyOf(w))),
              tf.constant(b)), flat);
        });
    return new LinearClassifier(entry, w, b, pre);
  }

  record LinearClassifier(ModelEntry entry, float[][] w, float[] b, Preprocessing preprocessing) {}

  /** {@code n} random RGB (or gray) images of {@code h x w} with values in [lo, 1], labels 0. */
  static List<LabeledImage> images(int n, int h, int w, int channels, float lo, long seed) {
    Random random = new Random(seed);
    List<LabeledImage> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] px = new float[h * w * channels];
      for (int p = 0; p < px.length; p++) {
        px[p] = lo + (1 - lo) * random.nextFloat();
      }
      out.add(new LabeledImage(px, h, w, channels, 0));
    }
    return out;
  }

  static List<LabeledImage> relabel(List<LabeledImage> images, int[] labels) {
    List<LabeledImage> out = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      LabeledImage m = images.get(i);
      out.add(new LabeledImage(m.pixels(), m.height(), m.width(), m.channels(), labels[i]));
    }
    return out;
  }

  static ImageDataset dataset(List<LabeledImage> images, List<String> classes) {
    return new ImageDataset() {
      @Override
      public int size() {
        return images.size();
      }

      @Override
      public List<String> classNames() {
        return classes;
      }

      @Override
      public LabeledImage get(int index) {
        return images.get(index);
      }

      @Override
      public String description() {
        return images.size() + " synthetic images";
      }

      @Override
      public int channels() {
        return images.get(0).channels();
      }
    };
  }
}
