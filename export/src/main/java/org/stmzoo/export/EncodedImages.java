package org.stmzoo.export;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Encodes an RGB image as PNG/JPEG bytes, the input of the {@code predict_image_bytes} signature. */
public final class EncodedImages {
  private EncodedImages() {}

  /**
   * {@code image} encoded as {@code format} (an ImageIO format name: png, jpg, bmp, gif).
   *
   * @throws IllegalArgumentException if no ImageIO writer takes this image type in this format
   */
  public static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalArgumentException("cannot encode a BufferedImage of type " + image.getType() + " as "
            + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
