package org.stmzoo.zoo.registry;

import java.util.List;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.WeightSource;

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
    ModelOptions options = ModelOptions.imagenet().withImageSize(imageSize).withNumClasses(classNames.size());
    entry.checkImageSize(imageSize);
    return new ExportRequest(entry.name(), entry.reference(), imageSize, entry.preprocessing(), classNames,
        root -> entry.build(root, options), weights, seed, null);
  }
}
