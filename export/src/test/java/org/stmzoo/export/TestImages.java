package org.stmzoo.export;

import java.awt.image.BufferedImage;
import org.tensorflow.EagerSession;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/** RGB test images as {@code int[h][w][3]} (0-255), their encodings, crops and normalisation. */
final class TestImages {
  private TestImages() {}

  /** A smooth but non-trivial pattern, different per seed. */
  static int[][][] pattern(int height, int width, int seed) {
    int[][][] rgb = new int[height][width][3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          double v = 128 + 100 * Math.sin(0.21 * x * (c + 1) + 0.17 * y * (seed + 1) + seed)
              + 27 * Math.cos(0.05 * (x + y) * (c + 2));
          rgb[y][x][c] = (int) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return rgb;
  }

  static byte[] encode(int[][][] rgb, String format) {
    BufferedImage image = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < rgb.length; y++) {
      for (int x = 0; x < rgb[0].length; x++) {
        image.setRGB(x, y, (rgb[y][x][0] << 16) | (rgb[y][x][1] << 8) | rgb[y][x][2]);
      }
    }
    return EncodedImages.encode(image, format);
  }

  /** TF's own JPEG decoder (the one the export uses), so comparisons are free of decoder differences. */
  static int[][][] decodeJpegWithTensorFlow(byte[] jpeg) {
    try (EagerSession eager = EagerSession.create();
        TString bytes = TString.tensorOfBytes(NdArrays.scalarOfObject(jpeg))) {
      Ops tf = Ops.create(eager);
      TUint8 decoded = tf.image.decodeJpeg(tf.constantOf(bytes), DecodeJpeg.channels(3L)).asTensor();
      int h = (int) decoded.shape().get(0);
      int w = (int) decoded.shape().get(1);
      int[][][] rgb = new int[h][w][3];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int c = 0; c < 3; c++) {
            rgb[y][x][c] = decoded.getByte(y, x, c) & 0xff;
          }
        }
      }
      return rgb;
    }
  }

  /** {@code [1, size, size, 3]} float 0-255: the {@code size x size} window at (top, left). */
  static TFloat32 crop(int[][][] rgb, int top, int left, int size) {
    return TFloat32.tensorOf(Shape.of(1, size, size, 3), t -> {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          for (int c = 0; c < 3; c++) {
            t.setFloat(rgb[top + y][left + x][c], 0, y, x, c);
          }
        }
      }
    });
  }
}
