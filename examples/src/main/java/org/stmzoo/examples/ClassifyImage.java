package org.stmzoo.examples;

import java.nio.file.Path;
import java.util.Locale;
import org.stmzoo.zoo.api.Prediction;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.api.Weights;

/**
 * Classifies an image with published weights:
 * {@code ClassifyImage u-convnext-micro in1k cat.jpg} downloads the release once into {@code ~/.cache/stmzoo}.
 * Without arguments it runs offline on a randomly initialised model and a generated image (what CI runs).
 */
public final class ClassifyImage {
  private ClassifyImage() {}

  public static void main(String[] args) throws Exception {
    String model = args.length > 0 ? args[0] : "u-convnext-micro";
    Weights weights = args.length > 1 ? Weights.pretrained(args[1]) : Weights.random();
    Path image = args.length > 2 ? Path.of(args[2]) : TinyImages.write(TinyImages.circle(1), Path.of("target",
        "example.png"));
    try (StmzooModel classifier = Stmzoo.load(model, weights)) {
      System.out.println(classifier.name() + " on " + image + ":");
      for (Prediction p : classifier.classify(image, 5)) {
        System.out.printf(Locale.ROOT, "  %-24s %.4f%n", p.label(), p.probability());
      }
    }
  }
}
