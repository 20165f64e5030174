package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.nio.file.Path;
import org.stmzoo.layers.core.FrozenWeights;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.SharedFiles;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** Imports a reference fixture into a registered model and runs the fixture input in inference mode. */
public final class ReferenceParity {
  private ReferenceParity() {}

  public static Path fixture(String name) {
    return SharedFiles.root().resolve("fixtures/reference/" + name);
  }

  /** Logits of {@code model} with the fixture's weights on the fixture's NHWC input. */
  static float[][] logits(String model, String fixture) throws IOException {
    return logits(model, fixture, 1);
  }

  /** As {@link #logits(String, String)}, in a graph whose row-wise layers run as {@code rowStreams} parts. */
  static float[][] logits(String model, String fixture, int rowStreams) throws IOException {
    return logits(model, fixture, ModelGraph.Inference.ofRowStreams(rowStreams));
  }

  /** As {@link #logits(String, String)}, in an inference graph built as {@code inference} says. */
  static float[][] logits(String model, String fixture, ModelGraph.Inference inference) throws IOException {
    StateDict checkpoint = SafetensorsReader.read(fixture(fixture + ".safetensors"));
    RawTensor input = NpyFile.read(fixture(fixture + ".input_nhwc.npy"));
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(model), ModelOptions.imagenet(), -1,
          ModelGraph.inferenceOnly(g, 0L, inference));
      try (Session session = new Session(g)) {
        ModelImport.apply(built, checkpoint, session);
        return Logits.compute(session, built, input);
      }
    }
  }

  /**
   * As {@link #logits(String, String, ModelGraph.Inference)}, in a graph whose weights are constants ({@link
   * FrozenWeights}): the fixture imported into a graph with variables, read back, and the model built again.
   * Fails if the frozen graph still holds a variable op.
   */
  static float[][] frozenLogits(String model, String fixture, ModelGraph.Inference inference) throws IOException {
    StateDict checkpoint = SafetensorsReader.read(fixture(fixture + ".safetensors"));
    RawTensor input = NpyFile.read(fixture(fixture + ".input_nhwc.npy"));
    try (FrozenWeights weights = importedWeights(model, checkpoint, inference); Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(model), ModelOptions.imagenet(), -1,
          ModelGraph.inferenceOnly(g, 0L, inference, weights));
      g.operations().forEachRemaining(op -> {
        if (op.type().equals("VarHandleOp") || op.type().equals("ReadVariableOp")) {
          throw new AssertionError("frozen graph holds " + op.type() + " " + op.name());
        }
      });
      try (Session session = new Session(g)) {
        return Logits.compute(session, built, input);
      }
    }
  }

  private static FrozenWeights importedWeights(String model, StateDict checkpoint, ModelGraph.Inference inference) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(model), ModelOptions.imagenet(), -1,
          ModelGraph.inferenceOnly(g, 0L, inference));
      try (Session session = new Session(g)) {
        ModelImport.apply(built, checkpoint, session);
        return FrozenWeights.read(session, built.model());
      }
    }
  }

  /** max |actual - expected| over a [batch, classes] array; fails on a shape difference. */
  public static double maxAbsDifference(float[][] actual, RawTensor expected) {
    if (expected.rank() != 2 || actual.length != expected.shape()[0]
        || actual[0].length != expected.shape()[1]) {
      throw new AssertionError("logits of shape [" + actual.length + ", " + actual[0].length + "], expected "
          + expected.shapeString());
    }
    double max = 0;
    int columns = actual[0].length;
    for (int b = 0; b < actual.length; b++) {
      for (int c = 0; c < columns; c++) {
        max = Math.max(max, Math.abs(actual[b][c] - expected.values()[b * columns + c]));
      }
    }
    return max;
  }
}
