package org.stmzoo.zoo.registry;

import java.util.List;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.WeightSource;
import org.stmzoo.layers.core.Preprocessing;

/** Glue from the registry to the export module, which builds classifiers without knowing the registry. */
public final class ExportRequests {
  private ExportRequests() {}

  /**
   * An export request for a registered model.
   *
   * @param classNames one per class; their count is the model's number of classes
   */
  public static ExportRequest of(ModelEntry entry, int imageSize, List<String> classNames, WeightSource weights,
      long seed) {
    return of(entry, imageSize, entry.preprocessing(), classNames, weights, seed);
  }

  /**
   * As {@link #of(ModelEntry, int, List, WeightSource, long)} with the preprocessing the weights were evaluated
   * with (a release's, which the manifest records) rather than the variant's default.
   */
  public static ExportRequest of(ModelEntry entry, int imageSize, Preprocessing preprocessing,
      List<String> classNames, WeightSource weights, long seed) {
    ModelOptions options = ModelOptions.imagenet().withImageSize(imageSize).withNumClasses(classNames.size());
    entry.checkImageSize(imageSize);
    return new ExportRequest(entry.name(), entry.reference(), imageSize, preprocessing, classNames,
        root -> entry.build(root, options), weights, seed, null, 1, 1, false);
  }
}
