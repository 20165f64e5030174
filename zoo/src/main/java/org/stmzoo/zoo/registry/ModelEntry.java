package org.stmzoo.zoo.registry;

import java.util.Optional;
import java.util.function.IntFunction;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.Preprocessing;

/**
 * One registered model.
 *
 * @param name stmzoo's name, e.g. {@code u-convnext-micro}
 * @param family the family, e.g. {@code unified-convnext}
 * @param reference the reference implementation's name as in {@code reference/param_counts.tsv}
 * @param defaultDropPath the reference recipe's drop-path rate
 * @param imageSizeRule returns a description of the violated constraint for a size the architecture cannot take
 * @param config the variant's configuration (depths, dims, heads, STM settings), a record of its family
 */
public record ModelEntry(String name, String family, String reference, int defaultImageSize, float defaultDropPath,
    Preprocessing preprocessing, VariantConfig config, IntFunction<Optional<String>> imageSizeRule, Builder builder) {

  @FunctionalInterface
  public interface Builder {
    /** Builds the model under {@code scope}; options are validated and the drop path resolved. */
    ImageClassifier build(LayerScope scope, ModelOptions options, float dropPathRate);
  }

  /** Throws an IllegalArgumentException naming the constraint if the architecture cannot take this size. */
  public void checkImageSize(int size) {
    Optional<String> violation = imageSizeRule.apply(size);
    if (violation.isPresent()) {
      throw new IllegalArgumentException(name + " cannot take image size " + size + ": " + violation.get());
    }
  }

  public ImageClassifier build(LayerScope scope, ModelOptions options) {
    checkImageSize(options.imageSize());
    return builder.build(scope, options, options.dropPathOr(defaultDropPath));
  }

  /** A size rule: positive multiples of {@code factor}. */
  public static IntFunction<Optional<String>> multipleOf(int factor, String why) {
    return size -> size > 0 && size % factor == 0
        ? Optional.empty()
        : Optional.of("it must be a positive multiple of " + factor + " (" + why + ")");
  }
}
