package org.stmzoo.zoo.registry;

import java.util.List;
import java.util.Map;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * A model family: everything about it lives in its own package under {@code org.stmzoo.zoo.families} (network,
 * variant table, key map, preprocessing, published weights) and reaches the rest of stmzoo through this interface.
 * Families are found with {@link java.util.ServiceLoader}, so a jar of its own can add one by listing its class in
 * {@code META-INF/services/org.stmzoo.zoo.registry.Family}.
 */
public interface Family {
  /** The family's name, as every {@link ModelEntry#family()} of it says, e.g. {@code unified-convnext}. */
  String name();

  /** Its registered variants. */
  List<ModelEntry> models();

  /** How the reference implementation's state-dict keys map onto stmzoo's variable paths. */
  KeyMap keyMap();

  /** Published weights of its variants (tags {@code <model>.<suffix>}). */
  default List<PretrainedManifest.Entry> pretrained() {
    return List.of();
  }

  /** Variants for which no weights are published, each with the reason. */
  default Map<String, String> unpublished() {
    return Map.of();
  }
}
