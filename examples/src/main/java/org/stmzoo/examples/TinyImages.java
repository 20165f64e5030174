package org.stmzoo.examples;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.stmzoo.export.EncodedImages;

/** Small generated images (a light circle or square on a dark background), so the examples need no data. */
final class TinyImages {
  private static final int SIDE = 48;

  private TinyImages() {}

  static BufferedImage circle(long seed) {
    return shape(true, new Random(seed));
  }

  static BufferedImage square(long seed) {
    return shape(false, new Random(seed));
  }

  /** {@code root/circle/*.png} and {@code root/square/*.png}, {@code perClass} each. */
  static Path folder(Path root, int perClass) throws IOException {
    for (int i = 0; i < perClass; i++) {
      write(circle(i), root.resolve("circle").resolve(i + ".png"));
      write(square(1000 + i), root.resolve("square").resolve(i + ".png"));
    }
    return root;
  }

  static Path write(BufferedImage image, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(image, "png", file.toFile());
    return file;
  }

  /** PNG bytes in memory (ImageIO.write to a stream would go through a temporary cache file). */
  static byte[] png(BufferedImage image) {
    return EncodedImages.encode(image, "png");
  }

  private static BufferedImage shape(boolean circle, Random random) {
    BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(random.nextInt(60), random.nextInt(60), random.nextInt(60)));
    g.fillRect(0, 0, SIDE, SIDE);
    g.setColor(new Color(150 + random.nextInt(100), 150 + random.nextInt(100), 150 + random.nextInt(100)));
    int s = 18 + random.nextInt(14);
    int x = random.nextInt(SIDE - s);
    int y = random.nextInt(SIDE - s);
    if (circle) {
      g.fillOval(x, y, s, s);
    } else {
      g.fillRect(x, y, s, s);
    }
    g.dispose();
    return image;
  }
}
