package org.stmzoo.recipes.optim;

import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;

/** Training-state variables that mirror a model variable's path under a prefix, e.g. {@code ema/head/fc/kernel}. */
final class ShadowVariables {
  private ShadowVariables() {}

  static ModelVariable of(LayerScope prefix, ModelVariable source, Initializer init) {
    String[] parts = source.path().split("/");
    LayerScope scope = prefix;
    for (int i = 0; i < parts.length - 1; i++) {
      scope = scope.child(parts[i]);
    }
    return scope.variable(parts[parts.length - 1], source.shape(), init, VariableRole.TRAINING_STATE);
  }
}
