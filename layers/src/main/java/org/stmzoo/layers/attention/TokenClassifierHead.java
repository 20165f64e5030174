package org.stmzoo.layers.attention;

import static org.stmzoo.layers.core.ConfigChecks.positive;

import java.util.Optional;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.basic.Tokens;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.Training;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The classifier of class-token transformers (ViT/DeiT, PiT): {@code head} on the class token (token 0) and,
 * for DeiT-style distilled models, {@code head_dist} on the distillation token (token 1). A distilled model
 * returns the class head in training, with the distillation head beside it for the distillation loss, and the
 * mean of both heads in inference, as timm does with {@code distilled_training} set.
 * Variables: {@code head/kernel|bias}, {@code head_dist/kernel|bias} directly under the scope given.
 */
public final class TokenClassifierHead {
  public record Config(int dim, int numClasses, boolean distilled, LinearInit linearInit) {
    public Config {
      positive("TokenClassifierHead.Config.dim", dim);
      positive("TokenClassifierHead.Config.numClasses", numClasses);
    }

    /** How many prefix tokens the head reads: the class token, and the distillation token if distilled. */
    public int prefixTokens() {
      return distilled ? 2 : 1;
    }
  }

  private final Ops tf;
  private final Dense head;
  private final Dense headDist;
  private final int rowStreams;

  public TokenClassifierHead(LayerScope scope, Config config) {
    this.tf = scope.tf();
    this.head = new Dense(scope.child("head"), config.linearInit().config(config.dim(), config.numClasses(), true));
    this.headDist = config.distilled()
        ? new Dense(scope.child("head_dist"), config.linearInit().config(config.dim(), config.numClasses(), true))
        : null;
    this.rowStreams = scope.model().rowStreams();
  }

  /** {@code prefix}: the final-normalised prefix tokens {@code [B, T, dim]}. */
  public ClassifierOutput call(Operand<TFloat32> prefix, Operand<TBool> training) {
    Operand<TFloat32> classToken = Tokens.at(tf, prefix, 0);
    // In row streams (batch 1) the head's time is reading its kernel for one row: a share of it per stream.
    Operand<TFloat32> logits = head.callSplitByInputs(classToken, rowStreams);
    if (headDist == null) {
      return ClassifierOutput.of(logits, classToken);
    }
    Operand<TFloat32> distToken = Tokens.at(tf, prefix, 1);
    Operand<TFloat32> distLogits = headDist.call(distToken, training);
    Operand<TFloat32> output = Training.select(tf, training, () -> logits,
        () -> tf.math.mul(tf.math.add(logits, distLogits), tf.constant(0.5f)));
    return new ClassifierOutput(output, Optional.of(distLogits),
        tf.math.mul(tf.math.add(classToken, distToken), tf.constant(0.5f)));
  }
}
