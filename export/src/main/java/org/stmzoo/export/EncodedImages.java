package org.stmzoo.export;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encodes an RGB image as PNG/JPEG bytes, the input of the {@code predict_image_bytes} signature. */
public final class EncodedImages {
  private EncodedImages() {}

  /**
   * {@code image} encoded as {@code format} (an ImageIO format name: png, jpg, bmp, gif), in memory: through a
   * stream made here, since the one {@code ImageIO.write(image, format, OutputStream)} makes goes through a
   * temporary file whenever the global {@code ImageIO.getUseCache()} is on (its default), and fails where the
   * temporary folder cannot be written.
   *
   * @throws IllegalArgumentException if no ImageIO writer takes this image type in this format
   */
  public static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      if (!ImageIO.write(image, format, stream)) {
        throw new IllegalArgumentException("cannot encode a BufferedImage of type " + image.getType() + " as "
            + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray(); // after close: the stream's last bytes reach out when it closes
  }
}
