package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encoding happens in memory, whatever ImageIO's global disk-cache setting and temporary folder. */
class EncodedImagesTest {
  @TempDir Path dir;

  @Test
  void encodingNeedsNoWritableCacheFolder() throws IOException {
    BufferedImage image = new BufferedImage(5, 2, BufferedImage.TYPE_INT_RGB);
    image.setRGB(4, 1, 0x123456);
    boolean useCache = ImageIO.getUseCache();
    File cacheDirectory = ImageIO.getCacheDirectory();
    Path gone = Files.createDirectory(dir.resolve("cache"));
    // ImageIO's default (the cache on), in a temporary folder that cannot be written (here: one that is gone)
    ImageIO.setUseCache(true);
    ImageIO.setCacheDirectory(gone.toFile());
    Files.delete(gone);
    byte[] png;
    try {
      png = EncodedImages.encode(image, "png");
    } finally {
      ImageIO.setUseCache(useCache);
      ImageIO.setCacheDirectory(cacheDirectory);
    }
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(decoded.getWidth()).isEqualTo(5);
    assertThat(decoded.getRGB(4, 1) & 0xffffff).isEqualTo(0x123456);
  }
}
