package org.stmzoo.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.stmzoo.layers.BasicLayersTest.var;

import org.junit.jupiter.api.Test;
import org.stmzoo.layers.attention.ConvTokenPooling;
import org.stmzoo.layers.attention.TransformerBlock;
import org.stmzoo.layers.basic.DropPathSchedule;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.basic.Tokens;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.vit.PoolingVisionTransformer;
import org.stmzoo.layers.vit.VisionTransformer;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The vision-transformer pieces (tokens, PiT pooling, pre-norm block, drop-path schedule) on small tensors. */
class VitLayersTest {

  @Test
  void tokensFollowPytorchsRowMajorFlattenAndSplitAroundThePrefix() {
    try (GraphRunner r = new GraphRunner()) {
      Ops tf = r.model.tf();
      float[] values = new float[12];
      for (int i = 0; i < values.length; i++) {
        values[i] = i;
      }
      // map [1, H=2, W=3, C=2]: token h*W + w holds channels (h*W + w)*C ...
      Operand<TFloat32> tokens = Tokens.fromMap(tf, r.constant(values, 1, 2, 3, 2));
      assertThat(tokens.shape().asArray()).containsExactly(1, 6, 2);
      assertThat(r.eval(tokens)).containsExactly(values);
      assertThat(r.eval(Tokens.toMap(tf, tokens, 2, 3))).containsExactly(values);
      assertThat(r.eval(Tokens.leading(tf, tokens, 2))).containsExactly(0, 1, 2, 3);
      assertThat(r.eval(Tokens.trailing(tf, tokens, 4))).containsExactly(8, 9, 10, 11);
      assertThat(r.eval(Tokens.at(tf, tokens, 1))).containsExactly(2, 3);

      Operand<TFloat32> parameter = r.constant(new float[] {1, 2, 3, 4}, 1, 2, 2);
      Operand<TFloat32> batchOfThree = r.constant(new float[3 * 5 * 2], 3, 5, 2);
      Operand<TFloat32> expanded = Tokens.expandToBatch(tf, parameter, batchOfThree);
      assertThat(r.eval(expanded)).containsExactly(1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
      assertThat(r.eval(Tokens.concat(tf, java.util.List.of(expanded, batchOfThree))).length).isEqualTo(3 * 7 * 2);
    }
  }

  @Test
  void pitPoolingIsADepthwiseK3S2P1ConvOnTheMapAndALinearOnTheTokens() {
    ConvTokenPooling.Config config = new ConvTokenPooling.Config(2, 4, 2);
    assertThat(config.kernel()).isEqualTo(3);
    // PiT-Ti/XS/S at 224: 27 -> 14 -> 7
    assertThat(config.outputSize(27)).isEqualTo(14);
    assertThat(config.outputSize(14)).isEqualTo(7);
    try (GraphRunner r = new GraphRunner()) {
      int h = 5, w = 4, c = 2, mult = 2, k = 3;
      float[] x = new float[h * w * c];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) Math.sin(i + 1);
      }
      ConvTokenPooling pool = new ConvTokenPooling(r.model.root().child("pool"), config);
      ConvTokenPooling.Pooled out = pool.call(r.constant(x, 1, h, w, c),
          r.constant(new float[] {1, -2}, 1, 1, 2), r.model.training());
      float[] kernel = new float[k * k * c * mult];
      for (int i = 0; i < kernel.length; i++) {
        kernel[i] = (i % 7) - 3;
      }
      r.set(var(r, "pool/conv/kernel"), kernel);
      r.set(var(r, "pool/conv/bias"), 0.1f, 0.2f, 0.3f, 0.4f);
      r.set(var(r, "pool/fc/kernel"), 1, 2, 3, 4, 5, 6, 7, 8);
      r.set(var(r, "pool/fc/bias"), 1, 1, 1, 1);

      int oh = config.outputSize(h);
      int ow = config.outputSize(w);
      assertThat(out.map().shape().asArray()).containsExactly(1, oh, ow, c * mult);
      float[] expected = new float[oh * ow * c * mult];
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          for (int ci = 0; ci < c; ci++) {
            for (int m = 0; m < mult; m++) {
              // PyTorch groups=C, out=2C: output channel ci*2+m reads only input channel ci.
              float sum = 0.1f * (ci * mult + m + 1);
              for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                  int iy = oy * 2 - 1 + ky;
                  int ix = ox * 2 - 1 + kx;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                    sum += x[(iy * w + ix) * c + ci] * kernel[((ky * k + kx) * c + ci) * mult + m];
                  }
                }
              }
              expected[((oy * ow + ox) * c + ci) * mult + m] = sum;
            }
          }
        }
      }
      float[] actual = r.eval(out.map());
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).as("map[%d]", i).isCloseTo(expected[i], within(1e-5f));
      }
      // [1, -2] . [[1,2,3,4],[5,6,7,8]] + 1
      assertThat(r.eval(out.tokens())).containsExactly(-8, -9, -10, -11);
    }
  }

  @Test
  void transformerBlockAddsTheAttentionAndMlpBranchesToItsInput() {
    try (GraphRunner r = new GraphRunner()) {
      TransformerBlock block = new TransformerBlock(r.model.root().child("block"),
          new TransformerBlock.Config(4, 2, 4.0, true, 1e-6f, 0.1f, LinearInit.timm()));
      float[] x = {1, 2, 3, 4, -1, 0, 2, 5, 0.5f, 0.5f, -3, 1};
      Operand<TFloat32> y = block.call(r.constant(x, 1, 3, 4), r.model.training());
      assertThat(var(r, "block/attn/qkv/kernel").shape().asArray()).containsExactly(4, 12);
      assertThat(var(r, "block/mlp/fc1/kernel").shape().asArray()).containsExactly(4, 16);
      // Zero output projections leave only the biases: y = x + proj.bias + fc2.bias for every token.
      r.set(var(r, "block/attn/proj/kernel"), new float[16]);
      r.set(var(r, "block/attn/proj/bias"), 1, 2, 3, 4);
      r.set(var(r, "block/mlp/fc2/kernel"), new float[64]);
      r.set(var(r, "block/mlp/fc2/bias"), 10, 20, 30, 40);
      float[] expected = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        expected[i] = x[i] + (i % 4 + 1) * 11;
      }
      float[] inference = r.eval(y);
      for (int i = 0; i < x.length; i++) {
        assertThat(inference[i]).isCloseTo(expected[i], within(1e-5f));
      }
    }
  }

  @Test
  void dropPathRisesLinearlyOverAllBlocks() {
    float[] rates = DropPathSchedule.linear(0.1f, 12);
    assertThat(rates).hasSize(12);
    assertThat(rates[0]).isZero();
    assertThat(rates[11]).isCloseTo(0.1f, within(1e-7f));
    assertThat(rates[6]).isCloseTo(0.6f / 11, within(1e-7f));
    assertThat(DropPathSchedule.linear(0.3f, 1)).containsExactly(0f);
  }

  /**
   * timm's and STM-Evaluation's {@code torch.linspace(0, rate, blocks)} is float32: these are torch 1.13.1's values
   * on the CPU to the bit (below 16 blocks, where it computes one element at a time, as torch 2 does throughout).
   * {@code rate * i / (blocks - 1)} in double (0.045454547 at block 5 of 12) or in float (0.02727273 at block 3) is
   * an ulp off at some blocks; so is the second half without torch's fused multiply-subtract (0.038888887 at block
   * 7 of 10).
   */
  @Test
  void dropPathScheduleIsTorchsFloat32Linspace() {
    assertThat(DropPathSchedule.linear(0.1f, 12)).containsExactly(0f, 0.009090909f, 0.018181818f, 0.027272727f,
        0.036363635f, 0.045454543f, 0.05454546f, 0.06363636f, 0.07272728f, 0.081818186f, 0.09090909f, 0.1f);
    assertThat(DropPathSchedule.linear(0.05f, 10)).containsExactly(0f, 0.0055555557f, 0.011111111f, 0.016666668f,
        0.022222223f, 0.027777778f, 0.033333335f, 0.03888889f, 0.044444446f, 0.05f);
    assertThat(DropPathSchedule.linear(0.3f, 15)).containsExactly(0f, 0.021428572f, 0.042857144f, 0.06428572f,
        0.08571429f, 0.10714286f, 0.12857144f, 0.15f, 0.17142858f, 0.19285715f, 0.21428573f, 0.2357143f,
        0.25714287f, 0.27857143f, 0.3f);
    assertThat(DropPathSchedule.linear(0.2f, 0)).isEmpty();
  }

  /** timm's PatchEmbed asserts the built image size; pos_embed has one entry per patch of it. */
  @Test
  void visionTransformerRefusesImagesOfAnotherSizeThanItWasBuiltFor() {
    try (GraphRunner r = new GraphRunner()) {
      Ops tf = r.model.tf();
      VisionTransformer vit = new VisionTransformer(r.model.root().child("vit"),
          new VisionTransformer.Config(32, 3, 10, 16, 16, 1, 2, 4.0, false, 0f));
      Operand<TFloat32> larger = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 64, 64, 3)));
      assertThatThrownBy(() -> vit.call(larger, r.model.training()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built for 32x32")
          .hasMessageContaining("64, 64");
      Operand<TFloat32> built = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 32, 32, 3)));
      assertThat(vit.call(built, r.model.training()).logits().shape().get(1)).isEqualTo(10);
    }
  }

  /**
   * PiT checks the image size up front as DeiT does, rather than failing later at its position embedding with the
   * size of a map: built at 224 and called on 192, both name the two image sizes in one line.
   */
  @Test
  void pitAndDeitNameTheBuiltAndTheGivenImageSize() {
    try (GraphRunner r = new GraphRunner()) {
      Ops tf = r.model.tf();
      ImageClassifier pit = new PoolingVisionTransformer(r.model.root().child("pit"),
          new PoolingVisionTransformer.Config(224, 3, 10, 16, 8, new int[] {4, 4}, new int[] {1, 1},
              new int[] {1, 2}, 2.0, false, 0f));
      ImageClassifier deit = new VisionTransformer(r.model.root().child("deit"),
          new VisionTransformer.Config(224, 3, 10, 16, 8, 1, 2, 2.0, false, 0f));
      Operand<TFloat32> smaller = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 192, 192, 3)));
      Operand<TFloat32> narrower = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 224, 192, 3)));
      Operand<TFloat32> built = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 224, 224, 3)));
      for (ImageClassifier model : java.util.List.of(pit, deit)) {
        String name = model.getClass().getSimpleName();
        assertThatThrownBy(() -> model.call(smaller, r.model.training()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(name + " built for 224x224 images (its position embedding has one entry per patch of them)"
                + " got images [-1, 192, 192, 3]");
        assertThatThrownBy(() -> model.call(narrower, r.model.training()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built for 224x224 images")
            .hasMessageEndingWith("got images [-1, 224, 192, 3]");
        assertThat(model.call(built, r.model.training()).logits().shape().get(1)).isEqualTo(10);
      }
    }
  }
}
