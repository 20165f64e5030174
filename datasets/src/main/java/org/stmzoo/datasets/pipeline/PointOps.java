package org.stmzoo.datasets.pipeline;

import java.util.function.IntUnaryOperator;

/**
 * The per-pixel and histogram RandAugment ops with PIL's 8-bit semantics ({@code ImageOps} and
 * {@code ImageEnhance}), applied in place. Gray images have one channel, RGB three.
 */
final class PointOps {
  private PointOps() {}

  /** {@code ImageOps.invert}. */
  static void invert(Image8 image) {
    applyToAll(image, i -> 255 - i);
  }

  /** {@code ImageOps.posterize}: keep the {@code bits} most significant bits (0 bits = black). */
  static void posterize(Image8 image, int bits) {
    int mask = ~((1 << (8 - bits)) - 1);
    applyToAll(image, i -> i & mask);
  }

  /** {@code ImageOps.solarize}: invert every level at or above {@code threshold}. */
  static void solarize(Image8 image, int threshold) {
    applyToAll(image, i -> i < threshold ? i : 255 - i);
  }

  /** timm's {@code solarize_add}: add {@code add} (saturating) to every level below {@code threshold}. */
  static void solarizeAdd(Image8 image, int add, int threshold) {
    applyToAll(image, i -> i < threshold ? Math.min(255, i + add) : i);
  }

  /** {@code ImageOps.autocontrast} (no cutoff): stretch each channel's [min, max] to [0, 255], truncating. */
  static void autoContrast(Image8 image) {
    int[][] histograms = histograms(image);
    int[][] luts = new int[image.channels()][];
    for (int c = 0; c < image.channels(); c++) {
      int[] h = histograms[c];
      int lo = 0;
      while (lo < 256 && h[lo] == 0) {
        lo++;
      }
      int hi = 255;
      while (hi >= 0 && h[hi] == 0) {
        hi--;
      }
      int[] lut = identity();
      if (hi > lo) {
        double scale = 255.0 / (hi - lo);
        double offset = -lo * scale;
        for (int i = 0; i < 256; i++) {
          lut[i] = Math.max(0, Math.min(255, (int) (i * scale + offset)));
        }
      }
      luts[c] = lut;
    }
    applyPerChannel(image, luts);
  }

  /** {@code ImageOps.equalize}: per channel, map levels through the cumulative histogram in PIL's step form. */
  static void equalize(Image8 image) {
    int[][] histograms = histograms(image);
    int[][] luts = new int[image.channels()][];
    for (int c = 0; c < image.channels(); c++) {
      int[] h = histograms[c];
      int used = 0;
      int total = 0;
      int lastNonZero = 0;
      for (int count : h) {
        if (count != 0) {
          used++;
          total += count;
          lastNonZero = count;
        }
      }
      int[] lut = identity();
      int step = (total - lastNonZero) / 255;
      if (used > 1 && step != 0) {
        int n = step / 2;
        for (int i = 0; i < 256; i++) {
          lut[i] = Math.min(255, n / step);
          n += h[i];
        }
      }
      luts[c] = lut;
    }
    applyPerChannel(image, luts);
  }

  /** {@code ImageEnhance.Color}: blend with the image's luminance (factor 0 = gray, 1 = unchanged). */
  static void color(Image8 image, double factor) {
    if (image.channels() == 1) {
      return; // PIL's degenerate of an L image is the image itself
    }
    int[] v = image.values();
    int[] gray = new int[v.length];
    for (int p = 0; p < image.pixels(); p++) {
      int l = luminance(v[3 * p], v[3 * p + 1], v[3 * p + 2]);
      gray[3 * p] = l;
      gray[3 * p + 1] = l;
      gray[3 * p + 2] = l;
    }
    blend(gray, v, factor);
  }

  /** {@code ImageEnhance.Contrast}: blend with a flat image at the rounded mean luminance. */
  static void contrast(Image8 image, double factor) {
    int[] v = image.values();
    long sum = 0;
    for (int p = 0; p < image.pixels(); p++) {
      sum += image.channels() == 1 ? v[p] : luminance(v[3 * p], v[3 * p + 1], v[3 * p + 2]);
    }
    int mean = (int) ((double) sum / image.pixels() + 0.5);
    int[] flat = new int[v.length];
    java.util.Arrays.fill(flat, mean);
    blend(flat, v, factor);
  }

  /** {@code ImageEnhance.Brightness}: blend with black. */
  static void brightness(Image8 image, double factor) {
    blend(new int[image.values().length], image.values(), factor);
  }

  /** {@code ImageEnhance.Sharpness}: blend with PIL's SMOOTH-filtered image (border pixels unfiltered). */
  static void sharpness(Image8 image, double factor) {
    int[] v = image.values();
    int[] smooth = v.clone();
    int w = image.width();
    int ch = image.channels();
    for (int y = 1; y < image.height() - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        for (int c = 0; c < ch; c++) {
          int sum = 0;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              sum += v[((y + dy) * w + x + dx) * ch + c];
            }
          }
          int center = v[(y * w + x) * ch + c];
          // SMOOTH kernel: 1 everywhere, 5 in the middle, divided by 13; PIL adds 0.5 and truncates.
          float filtered = (sum + 4 * center) / 13f + 0.5f;
          smooth[(y * w + x) * ch + c] = clip8(filtered);
        }
      }
    }
    blend(smooth, v, factor);
  }

  /** PIL's {@code Image.blend(degenerate, image, factor)} into {@code image}: truncates, clips when extrapolating. */
  private static void blend(int[] degenerate, int[] image, double factor) {
    float alpha = (float) factor;
    for (int i = 0; i < image.length; i++) {
      image[i] = clip8(degenerate[i] + alpha * (image[i] - degenerate[i]));
    }
  }

  /** ITU-R 601-2 luma in PIL's fixed point ({@code convert("L")}). */
  static int luminance(int r, int g, int b) {
    return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  }

  private static int clip8(float v) {
    return v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
  }

  private static int[] identity() {
    int[] lut = new int[256];
    for (int i = 0; i < 256; i++) {
      lut[i] = i;
    }
    return lut;
  }

  private static int[][] histograms(Image8 image) {
    int[][] h = new int[image.channels()][256];
    int[] v = image.values();
    for (int i = 0; i < v.length; i++) {
      h[i % image.channels()][v[i]]++;
    }
    return h;
  }

  /** Maps every value through the 256-entry table of {@code level}, as PIL's {@code Image.point} does. */
  private static void applyToAll(Image8 image, IntUnaryOperator level) {
    int[] lut = new int[256];
    for (int i = 0; i < 256; i++) {
      lut[i] = level.applyAsInt(i);
    }
    int[] v = image.values();
    for (int i = 0; i < v.length; i++) {
      v[i] = lut[v[i]];
    }
  }

  private static void applyPerChannel(Image8 image, int[][] luts) {
    int[] v = image.values();
    for (int i = 0; i < v.length; i++) {
      v[i] = luts[i % image.channels()][v[i]];
    }
  }
}
