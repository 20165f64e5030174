package org.stmzoo.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.stmzoo.datasets.ImageDecoding;
import org.stmzoo.datasets.LabeledImage;

/**
 * The affine ops against Pillow's own output, value for value: {@code pillow-affine/} holds a 23x17 RGB image
 * (a noisy gradient with two flat patches) and what Pillow 12.3 makes of it (written by
 * {@code pillow-affine/make-pillow-affine.py}).
 */
class PillowAffineTest {
  private static final int[] FILL = {124, 116, 104};

  @Test
  void randAugmentsGeometricOpsEqualPillows() throws IOException {
    Image8 source = png("source.png");
    assertThat(warped(source, AffineWarp.rotation(7.3, 23, 17))).containsExactly(png("rotate-7.3.png").values());
    assertThat(warped(source, AffineWarp.rotation(-90, 23, 17)))
        .containsExactly(png("rotate-minus-90.png").values());
    assertThat(warped(source, AffineWarp.shearX(0.21))).containsExactly(png("shear-x-0.21.png").values());
    assertThat(warped(source, AffineWarp.shearY(-0.17))).containsExactly(png("shear-y-minus-0.17.png").values());
    assertThat(warped(source, AffineWarp.translate(0.2 * 23, 0)))
        .containsExactly(png("translate-x-0.2.png").values());
    assertThat(warped(source, AffineWarp.translate(0, -0.2 * 17)))
        .containsExactly(png("translate-y-minus-0.2.png").values());
  }

  @Test
  void invarianceRotationEqualsPillows() throws IOException {
    FloatImage source = png("source.png").toFloat();
    assertThat(Image8.quantize(InvarianceViews.rotate(source, 33)).values())
        .containsExactly(png("rotate-33-zero-fill.png").values());
  }

  private static int[] warped(Image8 source, double[] m) {
    return AffineWarp.warp(source, m, FILL).values();
  }

  private static Image8 png(String name) throws IOException {
    try (InputStream in = PillowAffineTest.class.getResourceAsStream("pillow-affine/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource pillow-affine/" + name);
      }
      LabeledImage image = ImageDecoding.decodeRgb(in.readAllBytes(), name, 0);
      return Image8.quantize(new FloatImage(image.pixels(), image.height(), image.width(), image.channels()));
    }
  }
}
