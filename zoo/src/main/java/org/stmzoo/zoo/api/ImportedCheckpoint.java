package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link WeightImport#run} wrote: an stmzoo checkpoint that {@link Stmzoo#load(Path)}, {@code predict},
 * {@code eval}, {@code export} and {@code train --init} read.
 *
 * @param directory the checkpoint folder
 * @param model the registered model it holds weights for
 * @param imageSize the input size it was built at
 * @param numClasses its classes
 * @param tensors how many of the reference's tensors were imported
 */
public record ImportedCheckpoint(Path directory, String model, int imageSize, int numClasses, int tensors) {
  public ImportedCheckpoint {
    Objects.requireNonNull(directory, "ImportedCheckpoint.directory");
    Objects.requireNonNull(model, "ImportedCheckpoint.model");
  }
}
