package org.stmzoo.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Prediction;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.api.Weights;

/**
 * Exports a model as a TF Serving SavedModel and loads the export back, as a serving application would:
 * {@code LoadExport EXPORT_DIR} loads an existing export; without arguments it first exports a random model.
 */
public final class LoadExport {
  private LoadExport() {}

  public static void main(String[] args) throws Exception {
    Path export;
    if (args.length > 0) {
      export = Path.of(args[0]);
    } else {
      ModelSpec spec = ModelSpec.of("u-convnext-micro", Weights.random()).withImageSize(32);
      try (StmzooModel model = Stmzoo.load(spec)) {
        export = model.export(Files.createTempDirectory(Path.of("target"), "export"));
      }
      System.out.println("exported to " + export);
    }
    try (StmzooModel served = Stmzoo.load(export)) {
      Prediction top = served.classify(TinyImages.png(TinyImages.square(5)), 1).get(0);
      System.out.printf(Locale.ROOT, "%s (%dx%d, %d classes): %s %.4f%n", served.name(), served.imageSize(),
          served.imageSize(), served.classNames().size(), top.label(), top.probability());
    }
  }
}
