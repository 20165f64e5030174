package org.stmzoo.datasets.pipeline;

/**
 * The views of STM-Evaluation's invariance analysis ({@code tools/variance_transforms.py}), on [0, 1] float
 * images, not yet normalised. Every view starts from torchvision's {@code Resize(int(size / cropRatio))} (shorter
 * side, bicubic) of the source image, the crop ratio being the weights' evaluation crop (a float, whose side
 * {@link EvalResizeCrop#resizeTarget} computes as {@code ./stmzoo eval} does) or a scale level:
 * <ul>
 *   <li>{@link #reference}: then {@code CenterCrop(size)}, the standard evaluation view;</li>
 *   <li>{@link #translated}: a {@code size x size} window whose centre is moved by {@code shift} pixels in one of
 *       seven directions, clipped to the image and zero-padded centrally back to {@code size};</li>
 *   <li>{@link #rotated}: PIL's bicubic {@code rotate} (counter-clockwise, zero fill, same size) of the resized
 *       image before the crop, or of the crop;</li>
 *   <li>{@link #scaled}: the reference view with another ratio, so the shorter side becomes {@code size / r};
 *       torchvision's {@code CenterCrop} zero-pads an image smaller than the crop.</li>
 * </ul>
 */
public final class InvarianceViews {
  /** The translation directions of the reference, as (rows, columns) signs; it draws {@code randint(7)}. */
  private static final int[][] DIRECTIONS = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}, {1, 1}, {-1, 1}, {-1, -1}};

  public static final int TRANSLATION_DIRECTIONS = DIRECTIONS.length;

  private InvarianceViews() {}

  /** The evaluation view: exactly what {@code ./stmzoo eval} feeds the model at {@code cropPct}. */
  public static FloatImage reference(FloatImage image, int size, float cropPct) {
    return centerCropOrPad(resized(image, size, cropPct), size);
  }

  /**
   * The reference's {@code positon_jitter_crop}: centre {@code (H // 2, W // 2)} moved by {@code shift} along
   * direction {@code direction} (0..6), the window {@code [c - size // 2, c + size // 2)} clipped to the image
   * and padded with zeros on both sides ({@code (size - n) // 2} before, the rest after).
   */
  public static FloatImage translated(FloatImage image, int size, float cropPct, int shift, int direction) {
    FloatImage resized = resized(image, size, cropPct);
    int cy = resized.height() / 2 + DIRECTIONS[direction][0] * shift;
    int cx = resized.width() / 2 + DIRECTIONS[direction][1] * shift;
    int half = size / 2;
    int top = Math.max(cy - half, 0);
    int bottom = Math.min(cy + half, resized.height());
    int left = Math.max(cx - half, 0);
    int right = Math.min(cx + half, resized.width());
    if (bottom <= top || right <= left) {
      return new FloatImage(new float[size * size * image.channels()], size, size, image.channels());
    }
    FloatImage window = resized.crop(new CropBox(top, left, bottom - top, right - left));
    return padCentrally(window, Math.max(size, window.height()), Math.max(size, window.width()));
  }

  /** {@code degrees} counter-clockwise, before the center crop ({@code preRotate}) or after it. */
  public static FloatImage rotated(FloatImage image, int size, float cropPct, double degrees,
      boolean preRotate) {
    FloatImage resized = resized(image, size, cropPct);
    if (preRotate) {
      return centerCropOrPad(rotate(resized, degrees), size);
    }
    return rotate(centerCropOrPad(resized, size), degrees);
  }

  /**
   * The reference view at crop ratio {@code ratio} (0.2 ... 1.95 in the analysis): the shorter side becomes
   * {@code int(size / ratio)} computed in double, as the reference divides by its Python float levels.
   */
  public static FloatImage scaled(FloatImage image, int size, double ratio) {
    return centerCropOrPad(EvalResizeCrop.resizeShorterSide(image, (int) (size / ratio)), size);
  }

  /**
   * PIL's {@code Image.rotate(degrees, BICUBIC)} without expand: 0 degrees is a copy, 180 and (square images) 90
   * and 270 are exact transposes as PIL takes them; other angles sample the 8-bit image with PIL's affine
   * bicubic (as PIL works on 8-bit images), zero outside.
   */
  public static FloatImage rotate(FloatImage image, double degrees) {
    double angle = ((degrees % 360) + 360) % 360;
    if (angle == 0) {
      return new FloatImage(image.data().clone(), image.height(), image.width(), image.channels());
    }
    boolean square = image.height() == image.width();
    if (angle == 180 || (square && (angle == 90 || angle == 270))) {
      return quarterTurns(image, (int) (angle / 90));
    }
    double[] m = AffineWarp.rotation(angle, image.width(), image.height());
    return AffineWarp.warp(Image8.quantize(image), m, new int[image.channels()]).toFloat();
  }

  /** {@code turns} exact counter-clockwise quarter turns (a square image, or two turns). */
  private static FloatImage quarterTurns(FloatImage image, int turns) {
    int h = image.height();
    int w = image.width();
    int ch = image.channels();
    int outH = turns % 2 == 0 ? h : w;
    int outW = turns % 2 == 0 ? w : h;
    float[] out = new float[image.data().length];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        // the source pixel that lands on (y, x) after rotating counter-clockwise
        int sy;
        int sx;
        switch (turns) {
          case 1 -> { sy = x; sx = w - 1 - y; }
          case 2 -> { sy = h - 1 - y; sx = w - 1 - x; }
          default -> { sy = h - 1 - x; sx = y; }
        }
        System.arraycopy(image.data(), (sy * w + sx) * ch, out, (y * outW + x) * ch, ch);
      }
    }
    return new FloatImage(out, outH, outW, ch);
  }

  /**
   * torchvision's {@code Resize(int(size / crop))}, shorter side, bicubic, with the side eval uses: dividing by the
   * float widened to double would give 279 for 224 at 0.8 (0.800000011920929), where eval and the reference's
   * Python float give 280.
   */
  private static FloatImage resized(FloatImage image, int size, float cropPct) {
    return EvalResizeCrop.resizeShorterSide(image, EvalResizeCrop.resizeTarget(size, cropPct));
  }

  /**
   * torchvision's {@code CenterCrop(size)}: an image smaller than the crop is first padded with zeros
   * ({@code (size - n) // 2} before, the rest after), then the box at {@code round((n - size) / 2)} is taken.
   */
  public static FloatImage centerCropOrPad(FloatImage image, int size) {
    FloatImage padded = image.height() >= size && image.width() >= size ? image
        : padCentrally(image, Math.max(size, image.height()), Math.max(size, image.width()));
    return padded.crop(EvalResizeCrop.centerCrop(padded.height(), padded.width(), size));
  }

  private static FloatImage padCentrally(FloatImage image, int height, int width) {
    if (image.height() == height && image.width() == width) {
      return image;
    }
    int ch = image.channels();
    int top = (height - image.height()) / 2;
    int left = (width - image.width()) / 2;
    float[] out = new float[height * width * ch];
    int row = image.width() * ch;
    for (int y = 0; y < image.height(); y++) {
      System.arraycopy(image.data(), y * row, out, ((top + y) * width + left) * ch, row);
    }
    return new FloatImage(out, height, width, ch);
  }
}
