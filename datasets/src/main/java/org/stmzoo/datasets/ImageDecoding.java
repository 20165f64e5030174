package org.stmzoo.datasets;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.stream.ImageInputStream;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;

/**
 * Decodes an image file with ImageIO into RGB float HWC in [0, 1]: JPEG, PNG, GIF, BMP, TIFF, WebP, PPM and PGM.
 * Gray (with or without alpha) is replicated to three channels and alpha is dropped, as PIL's
 * {@code convert("RGB")} does. Stored 8/16-bit sRGB or gray samples are read directly, because
 * {@code BufferedImage.getRGB} would gamma-convert ImageIO's linear-gray images; palette and packed-int images go
 * through {@code getRGB}, which is exact for them.
 *
 * <p>Where this differs from PIL: 16-bit gray (PNG, PGM, TIFF) is scaled by its white level, where PIL's
 * {@code convert("RGB")} clips it at level 255 (nearly all white); 16-bit RGB keeps levels finer than PIL's 8 bits;
 * a PNM whose white level is neither 255 nor 65535 may land one level from PIL's rounding; lossy WebP comes from
 * TwelveMonkeys' VP8 decoder, a few levels from libwebp's. Floating-point, 32-bit and signed samples are refused.
 */
public final class ImageDecoding {
  private ImageDecoding() {}

  /**
   * Decodes {@code file} (an animation: its first frame). The header is read first and checked against
   * {@link ImageHeader}'s limits, so an image too large is refused before its pixels are allocated; unknown
   * formats, truncated or corrupt files and images over a limit all become an IOException naming the file (a
   * training or evaluation loader skips and counts it).
   */
  public static LabeledImage decodeRgb(Path file, int label) throws IOException {
    long length = InputFiles.requireRegularFile(file, ImageHeader.MAX_BYTES);
    return of(decodeChecked(ImageHeader.openFile(file), length, file), label);
  }

  /** Decodes encoded image bytes ({@code what} names them in errors), with the same limits as a file. */
  public static LabeledImage decodeRgb(byte[] encoded, String what, int label) throws IOException {
    ImageHeader.MAX_BYTES.checkBytes(Path.of(what), encoded.length);
    return of(decodeChecked(ImageHeader.inMemory(encoded), encoded.length, Path.of(what)), label);
  }

  /**
   * The first image of {@code input} ({@code length} bytes) after its header passed {@link ImageHeader}'s limits;
   * closes the stream.
   */
  private static BufferedImage decodeChecked(ImageInputStream input, long length, Path name) throws IOException {
    BufferedImage image = ImageHeader.withReader(input, length, name, "corrupt or unreadable image",
        (reader, header) -> reader.read(0));
    if (image == null) {
      throw new InputFileException(name, "not a decodable image");
    }
    requireUnsignedSamples(image, name);
    return image;
  }

  /**
   * Refuses floating-point, 32-bit and signed samples (a scientific TIFF or PFM): they have no white level to
   * scale by, and {@code getRGB} is wrong for them or throws. PIL's {@code convert("RGB")} clips such values to
   * 0..255, which turns an image stored in [0, 1] black; a loader skips and counts the file instead.
   */
  private static void requireUnsignedSamples(BufferedImage image, Path name) throws InputFileException {
    if (!(image.getColorModel() instanceof ComponentColorModel)) {
      return; // palette and packed-int images hold 8-bit (or fewer) levels
    }
    String samples = switch (image.getRaster().getDataBuffer().getDataType()) {
      case DataBuffer.TYPE_BYTE, DataBuffer.TYPE_USHORT -> null;
      case DataBuffer.TYPE_SHORT -> "signed 16-bit integer";
      case DataBuffer.TYPE_INT -> "32-bit integer";
      case DataBuffer.TYPE_FLOAT -> "32-bit floating-point";
      case DataBuffer.TYPE_DOUBLE -> "64-bit floating-point";
      default -> "unknown";
    };
    if (samples != null) {
      throw new InputFileException(name, "has " + samples + " samples, which are not converted to RGB"
          + " (8- and 16-bit unsigned images are); save it with 8- or 16-bit samples");
    }
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
    // CMYK without an ICC profile (a TIFF's usual case): the JDK converts it as if the inverted levels were linear
    // light, which washes the colours out; PIL's plain inversion keeps them. With a profile, getRGB uses it.
    boolean plainCmyk = model instanceof ComponentColorModel && type == ColorSpace.TYPE_CMYK
        && !(model.getColorSpace() instanceof ICC_ColorSpace) && model.getComponentSize(0) <= 16;
    if (storedDirectly) {
      int bands = raster.getNumBands();
      float maxLevel = (1 << model.getComponentSize(0)) - 1;
      int[] samples = raster.getPixels(0, 0, width, height, (int[]) null);
      for (int p = 0; p < width * height; p++) {
        for (int c = 0; c < 3; c++) {
          rgb[p * 3 + c] = samples[p * bands + (colorBands == 1 ? 0 : c)] / maxLevel;
        }
      }
    } else if (plainCmyk) {
      int bands = raster.getNumBands();
      float maxLevel = (1 << model.getComponentSize(0)) - 1;
      int[] samples = raster.getPixels(0, 0, width, height, (int[]) null);
      for (int p = 0; p < width * height; p++) {
        float white = 1 - samples[p * bands + 3] / maxLevel;
        for (int c = 0; c < 3; c++) {
          rgb[p * 3 + c] = (1 - samples[p * bands + c] / maxLevel) * white;
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
