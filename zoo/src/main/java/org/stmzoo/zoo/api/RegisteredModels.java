package org.stmzoo.zoo.api;

import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * The registry as the public records check their components against it when they are built: an unknown name or a
 * size the model cannot take is an {@link IllegalArgumentException} that names the record's field first, so a
 * caller knows which of the values it passed was refused.
 */
final class RegisteredModels {
  private RegisteredModels() {}

  /** The model registered as {@code name}; an unknown one is refused naming {@code field} and the closest names. */
  static ModelEntry get(String field, String name) {
    try {
      return ModelRegistry.get(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  /** Refuses an image size {@code entry}'s architecture cannot take, naming {@code field} and the rule. */
  static void checkImageSize(String field, ModelEntry entry, int size) {
    try {
      entry.checkImageSize(size);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }
}
