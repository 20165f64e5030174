package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.nio.file.Path;
import org.stmzoo.zoo.SharedFiles;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Imports a reference fixture into a registered model and runs the fixture input in inference mode. */
final class ReferenceParity {
  private ReferenceParity() {}

  static Path fixture(String name) {
    return SharedFiles.root().resolve("fixtures/reference/" + name);
  }

  /** Logits of {@code model} with the fixture's weights on the fixture's NHWC input. */
  static RawTensor logits(String model, String fixture) throws IOException {
    StateDict checkpoint = SafetensorsReader.read(fixture(fixture + ".safetensors"));
    RawTensor input = NpyFile.read(fixture(fixture + ".input_nhwc.npy"));
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(model), ModelOptions.imagenet(), g, 0L, -1, true);
      try (Session session = new Session(g)) {
        ModelImport.apply(built, checkpoint, session);
        return run(session, built, input);
      }
    }
  }

  static RawTensor run(Session session, BuiltModel built, RawTensor input) {
    try (TFloat32 images = TFloat32.tensorOf(Shape.of(input.shape()), DataBuffers.of(input.values()));
        TFloat32 out = (TFloat32) session.runner().feed(built.images(), images)
            .fetch(built.output().logits()).run().get(0)) {
      float[] values = new float[(int) out.shape().size()];
      out.copyTo(DataBuffers.of(values, false, false));
      return new RawTensor(out.shape().asArray(), values);
    }
  }

  static double maxAbsDifference(RawTensor a, RawTensor b) {
    double max = 0;
    for (int i = 0; i < a.values().length; i++) {
      max = Math.max(max, Math.abs(a.values()[i] - b.values()[i]));
    }
    return max;
  }
}
