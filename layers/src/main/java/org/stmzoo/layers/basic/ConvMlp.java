package org.stmzoo.layers.basic;

import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.RowStreams;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The transformer MLP as NCHW references write it, with 1x1 convolutions ({@code fc1 -> GELU -> dropout ->
 * fc2 -> dropout}). It computes what {@link Mlp} computes on NHWC maps, but its kernels are
 * {@code [1, 1, in, out]} so that they map one-to-one to the reference's 4-D conv weights.
 * Variables {@code fc1/kernel|bias}, {@code fc2/kernel|bias}; trunc-normal(0.02) kernels, zero biases.
 */
public final class ConvMlp implements Layer {
  private final Ops tf;
  private final Conv2D fc1;
  private final Conv2D fc2;
  private final Dropout drop;
  private final int rowStreams;

  public ConvMlp(LayerScope scope, Mlp.Config config) {
    this.tf = scope.tf();
    this.fc1 = new Conv2D(scope.child("fc1"),
        Conv2D.Config.of(config.inFeatures(), config.hiddenFeatures(), 1, 1, Padding.valid(), true));
    this.fc2 = new Conv2D(scope.child("fc2"),
        Conv2D.Config.of(config.hiddenFeatures(), config.outFeatures(), 1, 1, Padding.valid(), true));
    this.drop = new Dropout(scope.child("drop"), config.drop());
    this.rowStreams = scope.model().rowStreams();
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    // Both 1x1 convolutions as matrix products on [positions, channels], reshaped once each way, so that GELU
    // directly follows fc1's MatMul + BiasAdd and fuses into it (see Mlp).
    if (Shapes.dim(input, -1) != fc1.config().inChannels()) {
      // checked here: the reshape to rows below would otherwise regroup mismatched channels silently
      throw new IllegalArgumentException("ConvMlp expects " + fc1.config().inChannels() + " channels, got "
          + input.shape());
    }
    long[] shape = input.shape().asArray();
    shape[0] = -1;
    shape[shape.length - 1] = fc2.config().outChannels();
    Operand<TFloat32> rows = tf.reshape(input, tf.constant(new long[] {-1, fc1.config().inChannels()}));
    Operand<TFloat32> out = RowStreams.map(tf, rows, rowStreams,
        r -> {
          Operand<TFloat32> hidden = Activations.gelu(tf, fc1.pointwise(r, training), training);
          return drop.call(fc2.pointwise(drop.call(hidden, training), training), training);
        });
    return tf.reshape(out, tf.constant(shape));
  }
}
