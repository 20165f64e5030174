package org.stmzoo.datasets;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimitException;

/**
 * Decodes an image file with ImageIO into RGB float HWC in [0, 1]. Gray (with or without alpha) is replicated to
 * three channels and alpha is dropped, as PIL's {@code convert("RGB")} does. Stored 8/16-bit sRGB or gray samples
 * are read directly, because {@code BufferedImage.getRGB} would gamma-convert ImageIO's linear-gray images;
 * palette and packed-int images go through {@code getRGB}, which is exact for them.
 */
public final class ImageDecoding {
  static {
    // No disk cache: decoding many small files from several threads, the temp-file cache only costs time.
    ImageIO.setUseCache(false);
  }

  private ImageDecoding() {}

  /**
   * Decodes {@code file} (an animation: its first frame). The header is read first and checked against
   * {@link ImageHeader}'s limits, so an image too large is refused before its pixels are allocated; unknown
   * formats, truncated or corrupt files and images over a limit all become an IOException naming the file (a
   * training or evaluation loader skips and counts it).
   */
  public static LabeledImage decodeRgb(Path file, int label) throws IOException {
    InputFiles.requireRegularFile(file, ImageHeader.MAX_BYTES);
    return of(decodeChecked(ImageIO.createImageInputStream(file.toFile()), file), label);
  }

  /** Decodes encoded image bytes ({@code what} names them in errors), with the same limits as a file. */
  public static LabeledImage decodeRgb(byte[] encoded, String what, int label) throws IOException {
    if (encoded.length > ImageHeader.MAX_BYTES.value()) {
      throw new InputLimitException(Path.of(what), encoded.length + " bytes exceeds the limit of "
          + ImageHeader.MAX_BYTES.value() + " bytes (" + ImageHeader.MAX_BYTES.knob() + ")");
    }
    return of(decodeChecked(ImageIO.createImageInputStream(new ByteArrayInputStream(encoded)), Path.of(what)),
        label);
  }

  /** The first image of {@code stream} after its header passed {@link ImageHeader}'s limits; closes the stream. */
  private static BufferedImage decodeChecked(ImageInputStream input, Path name) throws IOException {
    BufferedImage image;
    try (ImageInputStream stream = input) {
      ImageReader reader = ImageHeader.readerFor(stream, name);
      try {
        reader.setInput(stream, true, true);
        ImageHeader.checked(reader.getFormatName(), reader.getWidth(0), reader.getHeight(0), name);
        image = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (InputFileException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new InputFileException(name, "corrupt or unreadable image (" + ImageHeader.describe(e) + ")", e);
    }
    if (image == null) {
      throw new InputFileException(name, "not a decodable image");
    }
    return image;
  }

  /** An image already in memory, converted as a decoded file is. */
  public static LabeledImage of(BufferedImage image, int label) {
    return new LabeledImage(toRgb(image), image.getHeight(), image.getWidth(), 3, label);
  }

  static float[] toRgb(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    float[] rgb = new float[width * height * 3];
    ColorModel model = image.getColorModel();
    Raster raster = image.getRaster();
    int colorBands = model.getNumColorComponents();
    int type = model.getColorSpace().getType();
    boolean storedDirectly = model instanceof ComponentColorModel
        && ((colorBands == 3 && model.getColorSpace().isCS_sRGB()) || (colorBands == 1 && type == ColorSpace.TYPE_GRAY))
        && model.getComponentSize(0) <= 16;
    if (storedDirectly) {
      int bands = raster.getNumBands();
      float maxLevel = (1 << model.getComponentSize(0)) - 1;
      int[] samples = raster.getPixels(0, 0, width, height, (int[]) null);
      for (int p = 0; p < width * height; p++) {
        for (int c = 0; c < 3; c++) {
          rgb[p * 3 + c] = samples[p * bands + (colorBands == 1 ? 0 : c)] / maxLevel;
        }
      }
    } else {
      int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
      for (int p = 0; p < argb.length; p++) {
        rgb[p * 3] = ((argb[p] >> 16) & 0xff) / 255f;
        rgb[p * 3 + 1] = ((argb[p] >> 8) & 0xff) / 255f;
        rgb[p * 3 + 2] = (argb[p] & 0xff) / 255f;
      }
    }
    return rgb;
  }
}
