package org.stmzoo.datasets.pipeline;

/** A pixel rectangle of an image: rows {@code [top, top + height)}, columns {@code [left, left + width)}. */
public record CropBox(int top, int left, int height, int width) {
  public static CropBox whole(int height, int width) {
    return new CropBox(0, 0, height, width);
  }

  /** True if the box lies inside an image of the given size and is not empty. */
  public boolean fitsIn(int imageHeight, int imageWidth) {
    return top >= 0 && left >= 0 && height > 0 && width > 0 && top + height <= imageHeight
        && left + width <= imageWidth;
  }
}
