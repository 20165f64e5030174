package org.stmzoo.datasets.pipeline;

/**
 * timm's eval geometry: torchvision {@code Resize(floor(size / cropPct))} (shorter side to that length, longer
 * side {@code int(len * long / short)}), then {@code CenterCrop(size)} at {@code int(round((H - size) / 2))}.
 */
public final class EvalResizeCrop {
  private EvalResizeCrop() {}

  public static FloatImage apply(FloatImage image, int size, float cropPct) {
    FloatImage resized = resizeShorterSide(image, resizeTarget(size, cropPct));
    return resized.crop(centerCrop(resized.height(), resized.width(), size));
  }

  /**
   * timm's {@code math.floor(size / crop_pct)} with {@code crop_pct} the decimal the float was written as: 0.8f is
   * 0.800000011920929, and {@code 224 / 0.800000011920929} floors to 279 where timm's {@code 224 / 0.8} gives 280,
   * so the division uses the float's shortest decimal ({@link Float#toString}) read as a double, as Python has it.
   */
  public static int resizeTarget(int size, float cropPct) {
    return (int) Math.floor(size / Double.parseDouble(Float.toString(cropPct)));
  }

  /** torchvision {@code Resize(shorterTarget)} with bicubic interpolation: the aspect ratio is kept. */
  public static FloatImage resizeShorterSide(FloatImage image, int shorterTarget) {
    int h = image.height();
    int w = image.width();
    int outH;
    int outW;
    if (h <= w) {
      outH = shorterTarget;
      outW = (int) ((long) shorterTarget * w / h);
    } else {
      outW = shorterTarget;
      outH = (int) ((long) shorterTarget * h / w);
    }
    return BicubicResize.resize(image, outH, outW);
  }

  /** torchvision's CenterCrop box; the image must be at least {@code size} on both sides. */
  public static CropBox centerCrop(int height, int width, int size) {
    if (height < size || width < size) {
      throw new IllegalArgumentException("cannot center-crop " + size + " from " + height + "x" + width
          + " (crop fraction above 1 is not supported)");
    }
    int top = (int) Math.rint((height - size) / 2.0);
    int left = (int) Math.rint((width - size) / 2.0);
    return new CropBox(top, left, size, size);
  }
}
