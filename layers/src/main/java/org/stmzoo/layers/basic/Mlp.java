package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.RowStreams;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Share;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Transformer MLP: {@code fc1 -> GELU -> dropout -> fc2 -> dropout} on the last axis. */
public final class Mlp implements Layer, EndsInProjection {
  public record Config(int inFeatures, int hiddenFeatures, int outFeatures, float drop) {
    public Config {
      positive("Mlp.Config.inFeatures", inFeatures);
      positive("Mlp.Config.hiddenFeatures", hiddenFeatures);
      positive("Mlp.Config.outFeatures", outFeatures);
      rate("Mlp.Config.drop", drop);
    }

    public static Config of(int dim, double ratio) {
      return new Config(dim, (int) (dim * ratio), dim, 0f);
    }
  }

  private final Config config;
  private final Ops tf;
  private final Dense fc1;
  private final Dense fc2;
  private final Dropout drop;
  private final int rowStreams;

  public Mlp(LayerScope scope, Config config) {
    this(scope, config, LinearInit.timm());
  }

  public Mlp(LayerScope scope, Config config, LinearInit linearInit) {
    this.config = config;
    this.tf = scope.tf();
    this.fc1 = new Dense(scope.child("fc1"), linearInit.config(config.inFeatures(), config.hiddenFeatures(), true));
    this.fc2 = new Dense(scope.child("fc2"), linearInit.config(config.hiddenFeatures(), config.outFeatures(), true));
    this.drop = new Dropout(scope.child("drop"), config.drop());
    this.rowStreams = scope.model().rowStreams();
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return call(input, training, rowStreams);
  }

  /** As {@link #call}, in one stream: for callers that already run it once per stream of rows. */
  public Operand<TFloat32> callUnsplit(Operand<TFloat32> input, Operand<TBool> training) {
    return call(input, training, 1);
  }

  private Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training, int rowStreams) {
    int rank = input.shape().numDimensions();
    if (rank <= 2 || config.drop() > 0) {
      Operand<TFloat32> h = drop.call(Activations.gelu(tf, fc1.call(input, training), training), training);
      return drop.call(fc2.call(h, training), training);
    }
    // Both layers on the [rows, features] matrix, reshaped once each way: GELU then directly follows fc1's
    // MatMul + BiasAdd, which Grappler fuses into one kernel (a reshape between them prevents it).
    Operand<TFloat32> rows = tf.reshape(input, tf.constant(new long[] {-1, config.inFeatures()}));
    Operand<TFloat32> y = RowStreams.map(tf, rows, rowStreams,
        r -> fc2.call(Activations.gelu(tf, fc1.call(r, training), training), training));
    return Shapes.reshapeBatchLike(tf, y, input, config.outFeatures());
  }

  /**
   * fc1, GELU and fc2's term for {@code share}'s hidden units alone, on rows {@code [R, in]}, for inference (dropout
   * is the identity there): the terms of all shares sum to {@link #call}'s output, fc2's bias in the first.
   */
  public Operand<TFloat32> callHidden(Operand<TFloat32> rows, Operand<TBool> training, Share share) {
    long[] hidden = share.units(config.hiddenFeatures());
    Operand<TFloat32> h = Activations.gelu(tf, fc1.callOutputs(rows, training, hidden, share.name()), training);
    return fc2.callInputs(h, training, hidden, share.addsBias(), share.name());
  }

  /** {@code fc2}: dropout, the identity at inference, is all that follows it. */
  @Override
  public Projection outputProjection() {
    return fc2.outputProjection();
  }
}
