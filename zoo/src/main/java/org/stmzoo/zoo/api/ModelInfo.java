package org.stmzoo.zoo.api;

import java.util.Objects;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * A registered model as the catalogue describes it ({@link Catalogue#model}), without building it: measuring its
 * parameters and MACs builds a graph, so that is {@link #measure}, asked for apart. Built by hand, every component
 * must be what the registry says of the model {@code name} (an {@link IllegalArgumentException} naming the first
 * that is not): the info stands for that model, which {@link #measure} builds by name.
 *
 * @param name stmzoo's name, e.g. {@code u-convnext-micro}, what {@link Stmzoo#load(String, Weights)} takes
 * @param family the family, e.g. {@code unified-convnext}
 * @param reference the reference implementation's name of the variant, e.g. {@code unified_convnext_micro}
 * @param config the variant's configuration (depths, widths, heads, the family's settings) in one line
 * @param defaultImageSize the input size the model is built at unless told otherwise
 * @param defaultDropPath the reference recipe's drop-path rate, which training uses unless told otherwise
 * @param preprocessing the evaluation preprocessing of the reference (mean, std, crop, interpolation)
 */
public record ModelInfo(String name, String family, String reference, String config, int defaultImageSize,
    float defaultDropPath, Preprocessing preprocessing) {
  public ModelInfo {
    Objects.requireNonNull(name, "ModelInfo.name");
    Objects.requireNonNull(family, "ModelInfo.family");
    Objects.requireNonNull(reference, "ModelInfo.reference");
    Objects.requireNonNull(config, "ModelInfo.config");
    Objects.requireNonNull(preprocessing, "ModelInfo.preprocessing");
    // measure() and Stmzoo.load go by the name alone: an info that says other things of it than the registry would
    // describe a model no call builds
    ModelEntry entry = RegisteredModels.get("ModelInfo.name", name);
    differs("family", family, entry.family());
    differs("reference", reference, entry.reference());
    differs("config", config, entry.config().describe());
    differs("defaultImageSize", defaultImageSize, entry.defaultImageSize());
    differs("defaultDropPath", defaultDropPath, entry.defaultDropPath());
    differs("preprocessing", preprocessing, entry.preprocessing());
  }

  private static void differs(String field, Object given, Object registered) {
    if (!given.equals(registered)) {
      throw new IllegalArgumentException("ModelInfo." + field + " is " + given + ", the registry's is " + registered
          + " (use Catalogue.model(name))");
    }
  }

  static ModelInfo of(ModelEntry entry) {
    return new ModelInfo(entry.name(), entry.family(), entry.reference(), entry.config().describe(),
        entry.defaultImageSize(), entry.defaultDropPath(), entry.preprocessing());
  }

  /** The shape {@code ./stmzoo describe} measures at without flags: the default size, 1000 classes, RGB. */
  public ModelShape defaultShape() {
    return ModelShape.imagenet().withImageSize(defaultImageSize);
  }

  /**
   * Parameters, MACs and per-stage output shapes of this model built for {@code shape}; an image size the
   * architecture cannot take is an {@link IllegalArgumentException} naming its rule. This builds the model's graph
   * (a second or more for the larger models).
   */
  public ModelMeasurement measure(ModelShape shape) {
    Objects.requireNonNull(shape, "shape");
    return ModelMeasurement.of(ModelRegistry.get(name), shape);
  }
}
