package org.stmzoo.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encoded images for the tests, written byte by byte where a format's variants matter (16-bit PNM, CMYK or
 * floating-point TIFF, headers declaring huge sizes), so that a test does not depend on what an ImageIO writer
 * chooses; WebP, which nothing here writes, comes from {@code formats/} (made by {@code formats/make-webp.py}).
 */
final class TestImageFiles {
  /** The pixels of {@code formats/rgb-4x3-lossless.webp}, 0xRRGGBB, row by row. */
  static final int[] FOUR_BY_THREE = {
    0x0a141e, 0xc86432, 0x00ff80, 0x4d4d4d,
    0xff0000, 0x0000ff, 0x010203, 0xfafbfc,
    0x804020, 0x214263, 0x050607, 0xf00f3c,
  };

  /** TIFF photometric interpretations and sample formats used here. */
  static final int BLACK_IS_ZERO = 1;
  static final int RGB = 2;
  static final int CMYK = 5;
  static final int UNSIGNED = 1;
  static final int SIGNED = 2;
  static final int FLOAT = 3;

  private TestImageFiles() {}

  /** {@link #FOUR_BY_THREE} as an image. */
  static BufferedImage fourByThree() {
    BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
    for (int p = 0; p < FOUR_BY_THREE.length; p++) {
      image.setRGB(p % 4, p / 4, FOUR_BY_THREE[p]);
    }
    return image;
  }

  /** A test resource of {@code formats/}. */
  static byte[] resource(String name) {
    try (InputStream in = TestImageFiles.class.getResourceAsStream("formats/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource formats/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A binary PNM: {@code magic} P5 (gray) or P6 (RGB), {@code samples} row by row, one byte each up to a
   * {@code maxValue} of 255 and two big-endian bytes above, as the format says.
   */
  static byte[] pnm(String magic, int width, int height, int maxValue, int... samples) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((magic + "\n" + width + " " + height + "\n" + maxValue + "\n").getBytes(StandardCharsets.US_ASCII));
    for (int sample : samples) {
      if (maxValue > 255) {
        out.write(sample >> 8);
      }
      out.write(sample);
    }
    return out.toByteArray();
  }

  /** {@link #FOUR_BY_THREE} as an 8-bit P6 PPM. */
  static byte[] fourByThreePpm() {
    int[] samples = new int[FOUR_BY_THREE.length * 3];
    for (int p = 0; p < FOUR_BY_THREE.length; p++) {
      samples[p * 3] = FOUR_BY_THREE[p] >> 16 & 0xff;
      samples[p * 3 + 1] = FOUR_BY_THREE[p] >> 8 & 0xff;
      samples[p * 3 + 2] = FOUR_BY_THREE[p] & 0xff;
    }
    return pnm("P6", 4, 3, 255, samples);
  }

  /**
   * A little-endian, uncompressed, single-strip TIFF of {@code width x height} pixels whose strip is
   * {@code strip} (possibly shorter than the size declares, for a header test).
   */
  static byte[] tiff(int width, int height, int photometric, int samplesPerPixel, int bitsPerSample,
      int sampleFormat, byte[] strip) {
    int entries = 10;
    int ifdSize = 2 + entries * 12 + 4;
    int arrays = 8 + ifdSize; // BitsPerSample and SampleFormat values, when more than two
    int stripOffset = arrays + (samplesPerPixel > 2 ? 4 * samplesPerPixel : 0);
    ByteBuffer out = ByteBuffer.allocate(stripOffset + strip.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    out.putShort((short) entries);
    entry(out, 256, 4, 1, width);
    entry(out, 257, 4, 1, height);
    shorts(out, 258, samplesPerPixel, bitsPerSample, arrays);
    entry(out, 259, 3, 1, 1); // no compression
    entry(out, 262, 3, 1, photometric);
    entry(out, 273, 4, 1, stripOffset);
    entry(out, 277, 3, 1, samplesPerPixel);
    entry(out, 278, 4, 1, height);
    entry(out, 279, 4, 1, strip.length);
    shorts(out, 339, samplesPerPixel, sampleFormat, arrays + 2 * samplesPerPixel);
    out.putInt(0); // no next IFD
    if (samplesPerPixel > 2) {
      for (int value : new int[] {bitsPerSample, sampleFormat}) {
        for (int s = 0; s < samplesPerPixel; s++) {
          out.putShort((short) value);
        }
      }
    }
    out.put(strip);
    return out.array();
  }

  private static void entry(ByteBuffer out, int tag, int type, int count, int value) {
    out.putShort((short) tag).putShort((short) type).putInt(count);
    if (type == 3 && count == 1) {
      out.putShort((short) value).putShort((short) 0);
    } else {
      out.putInt(value);
    }
  }

  /** A SHORT entry of {@code count} equal values: inline up to two, else at {@code offset}. */
  private static void shorts(ByteBuffer out, int tag, int count, int value, int offset) {
    out.putShort((short) tag).putShort((short) 3).putInt(count);
    if (count <= 2) {
      out.putShort((short) value).putShort((short) (count == 2 ? value : 0));
    } else {
      out.putInt(offset);
    }
  }

  /** {@code values} as little-endian bytes of {@code bytesEach} (1, 2 or 4) each. */
  static byte[] littleEndian(int bytesEach, int... values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * bytesEach).order(ByteOrder.LITTLE_ENDIAN);
    for (int value : values) {
      switch (bytesEach) {
        case 1 -> out.put((byte) value);
        case 2 -> out.putShort((short) value);
        default -> out.putInt(value);
      }
    }
    return out.array();
  }

  /** {@code values} as little-endian 32-bit floats. */
  static byte[] littleEndianFloats(float... values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      out.putFloat(value);
    }
    return out.array();
  }
}
