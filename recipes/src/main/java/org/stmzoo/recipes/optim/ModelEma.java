package org.stmzoo.recipes.optim;

import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code ModelEmaV2}: after each optimizer step every model tensor (parameters and BatchNorm statistics,
 * the whole state_dict) becomes {@code ema = decay * ema + (1 - decay) * model}. The copies live in
 * {@code ema/PATH} training-state variables. {@link #swap} exchanges model and EMA values, so the same forward
 * graph evaluates the EMA weights (swap, evaluate, swap back).
 */
public final class ModelEma {
  private final List<ModelVariable> model;
  private final List<ModelVariable> ema = new ArrayList<>();
  private final float decay;

  public ModelEma(LayerScope scope, List<ModelVariable> model, double decay) {
    this.model = List.copyOf(model);
    this.decay = (float) decay;
    for (ModelVariable v : model) {
      ema.add(ShadowVariables.of(scope, v, Initializer.zeros()));
    }
  }

  public List<ModelVariable> variables() {
    return List.copyOf(ema);
  }

  /**
   * The EMA update, reading each model variable anew after {@code after} (the optimizer and statistics
   * updates) so it averages the post-step weights as timm does.
   */
  public Op update(Ops tf, List<Op> after) {
    Ops ordered = tf.withControlDependencies(after);
    List<Op> assigns = new ArrayList<>();
    Operand<TFloat32> d = tf.constant(decay);
    Operand<TFloat32> oneMinusD = tf.constant(1f - decay);
    for (int i = 0; i < model.size(); i++) {
      Operand<TFloat32> current = ordered.readVariableOp(model.get(i).handle(), TFloat32.class);
      Operand<TFloat32> averaged = tf.math.add(tf.math.mul(ema.get(i).value(), d), tf.math.mul(current, oneMinusD));
      assigns.add(tf.assignVariableOp(ema.get(i).handle(), averaged));
    }
    return tf.withName("ema_update").withControlDependencies(assigns).noOp();
  }

  /** Copies the model into the EMA (timm deep-copies the model when the EMA is created). */
  public Op reset(Ops tf) {
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < model.size(); i++) {
      assigns.add(tf.assignVariableOp(ema.get(i).handle(), model.get(i).value()));
    }
    return tf.withName("ema_reset").withControlDependencies(assigns).noOp();
  }

  /** Exchanges model and EMA values: both reads happen before either write. */
  public Op swap(Ops tf) {
    List<Operand<TFloat32>> modelValues = new ArrayList<>();
    List<Operand<TFloat32>> emaValues = new ArrayList<>();
    for (int i = 0; i < model.size(); i++) {
      modelValues.add(tf.identity(tf.readVariableOp(model.get(i).handle(), TFloat32.class)));
      emaValues.add(tf.identity(tf.readVariableOp(ema.get(i).handle(), TFloat32.class)));
    }
    List<Op> reads = new ArrayList<>();
    modelValues.forEach(reads::add);
    emaValues.forEach(reads::add);
    Ops afterReads = tf.withControlDependencies(reads);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < model.size(); i++) {
      assigns.add(afterReads.assignVariableOp(model.get(i).handle(), emaValues.get(i)));
      assigns.add(afterReads.assignVariableOp(ema.get(i).handle(), modelValues.get(i)));
    }
    return tf.withName("ema_swap").withControlDependencies(assigns).noOp();
  }
}
