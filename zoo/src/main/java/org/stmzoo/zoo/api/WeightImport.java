package org.stmzoo.zoo.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.stmzoo.datasets.ImageNetClasses;
import org.stmzoo.layers.io.PathChecks;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.ModelImport;
import org.stmzoo.zoo.weights.ReferenceCheckpoints;
import org.stmzoo.zoo.weights.StateDict;
import org.stmzoo.zoo.weights.StateDictChoice;
import org.stmzoo.zoo.weights.WeightImporter;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** Runs an {@link ImportSpec}: reference PyTorch weights into an stmzoo checkpoint, as {@code ./stmzoo import}. */
public final class WeightImport {
  private WeightImport() {}

  /**
   * Reads the reference weights, matches them to the model's variables (a tensor missing, left over or of another
   * shape is an {@link IllegalArgumentException} naming it; the spec refused an unknown model or size) and
   * writes the checkpoint; {@code notes} hears what the import adapted (position embeddings resized to another
   * image size, a head re-initialised for another number of classes). The spec's class names are checked against
   * its class count, and the output folder for being one, before anything is read.
   */
  public static ImportedCheckpoint run(ImportSpec spec, Consumer<String> notes) throws IOException {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(notes, "notes");
    ModelEntry entry = ModelRegistry.get(spec.model());
    int imageSize = spec.imageSize() != null ? spec.imageSize() : entry.defaultImageSize(); // checked by the spec
    ModelOptions options = ModelOptions.imagenet().withNumClasses(spec.numClasses()).withImageSize(imageSize);
    List<String> classNames = classNames(spec);
    Path output = PathChecks.outputFolder(spec.output());
    StateDict weights = ReferenceCheckpoints.read(spec.checkpoint(),
        spec.ema() ? StateDictChoice.EMA : StateDictChoice.MODEL);
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, graph, 0L, -1, true);
      try (Session session = new Session(graph)) {
        WeightImporter.Plan plan = ModelImport.apply(built, weights, session);
        plan.notes().forEach(notes);
        StmzooCheckpoint.write(output, session, built,
            StmzooCheckpoint.metadataFor(built, classNames, spec.checkpoint().getFileName().toString()));
        return new ImportedCheckpoint(output, entry.name(), imageSize, spec.numClasses(), plan.values().size());
      }
    }
  }

  /**
   * The names the checkpoint stores: the spec's (none for an empty list), else ImageNet's for a kept 1000-class head (every registered
   * family's reference weights are ImageNet-1k classifiers), else none.
   */
  private static List<String> classNames(ImportSpec spec) {
    if (spec.classNames() == null) {
      return spec.numClasses() == ImageNetClasses.COUNT ? ImageNetClasses.names() : List.of();
    }
    if (!spec.classNames().isEmpty() && spec.classNames().size() != spec.numClasses()) {
      throw new IllegalArgumentException("ImportSpec.classNames lists " + spec.classNames().size()
          + " classes, the model has " + spec.numClasses());
    }
    return spec.classNames();
  }
}
