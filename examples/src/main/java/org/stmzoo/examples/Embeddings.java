package org.stmzoo.examples;

import java.awt.image.BufferedImage;
import java.util.Locale;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.api.Weights;

/**
 * Image embeddings: the pooled features a backbone's head consumes, compared by cosine similarity. Use
 * {@code Weights.pretrained("in1k")} for meaningful embeddings; a random model at 64x64 keeps this example offline.
 */
public final class Embeddings {
  private Embeddings() {}

  public static void main(String[] args) throws Exception {
    ModelSpec spec = ModelSpec.of("u-convnext-micro", Weights.random()).withImageSize(64);
    try (StmzooModel backbone = Stmzoo.load(spec)) {
      BufferedImage a = TinyImages.circle(1);
      BufferedImage b = TinyImages.circle(2);
      BufferedImage c = TinyImages.square(3);
      float[] fa = backbone.features(a);
      System.out.printf(Locale.ROOT, "%d-dimensional embeddings%n", fa.length);
      System.out.printf(Locale.ROOT, "circle vs circle: %.4f%n", cosine(fa, backbone.features(b)));
      System.out.printf(Locale.ROOT, "circle vs square: %.4f%n", cosine(fa, backbone.features(c)));
    }
  }

  static double cosine(float[] x, float[] y) {
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
      nx += x[i] * x[i];
      ny += y[i] * y[i];
    }
    return dot / Math.sqrt(nx * ny);
  }
}
