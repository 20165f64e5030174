package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.datasets.Subset;
import org.stmzoo.zoo.weights.RawTensor;

/**
 * The images an analysis reads: [0, 1] pixels (gray or RGB) with their labels where known. Either an image
 * dataset (folder, Fashion-MNIST...) or an already-normalised NHWC batch (as {@code predict --npy} takes), which
 * is mapped back to [0, 1] with the model's mean and std.
 */
public interface AnalysisImages {
  /** The label of an image without one. */
  int NO_LABEL = -1;

  int size();

  /** Whether every image has a label (top-1/top-5 and the attacks need them). */
  boolean labelled();

  /** Class names in label order; empty when unknown (a .npy batch). */
  List<String> classNames();

  /** Image {@code index}; an IOException means this one image is unreadable (the analyses skip and count it). */
  LabeledImage get(int index) throws IOException;

  /** The label of image {@code index} ({@link #NO_LABEL} if none), without decoding it where the source can. */
  default int label(int index) throws IOException {
    return get(index).label();
  }

  String description();

  /**
   * {@code all} reordered so that its first {@code n} images are a class-stratified sample
   * ({@link Subset#stratifiedOrder}, as a run's {@code --limit-train}/{@code --limit-val} take theirs). An image
   * folder sorts by class, so its first {@code n} would hold one or two classes. The analyses take the first
   * {@code n} readable images, so an unreadable one is replaced by the next of the order (images whose label
   * cannot be read come last). The same images and seed give the same order; with {@code n} at least the size,
   * {@code all} is returned as it is.
   */
  static AnalysisImages stratifiedSample(AnalysisImages all, int n, long seed) {
    if (n >= all.size()) {
      return all;
    }
    int[] order = Subset.stratifiedOrder(all.size(), all::label, seed);
    String description = Subset.describeStratified(n, seed, all.description());
    return new AnalysisImages() {
      @Override
      public int size() {
        return order.length;
      }

      @Override
      public boolean labelled() {
        return all.labelled();
      }

      @Override
      public List<String> classNames() {
        return all.classNames();
      }

      @Override
      public LabeledImage get(int index) throws IOException {
        return all.get(order[index]);
      }

      @Override
      public int label(int index) throws IOException {
        return all.label(order[index]);
      }

      @Override
      public String description() {
        return description;
      }
    };
  }

  /** All images of {@code data}, in its order. */
  static AnalysisImages of(ImageDataset data) {
    return of(data, Integer.MAX_VALUE);
  }

  /** The first {@code limit} images of {@code data}. */
  static AnalysisImages of(ImageDataset data, int limit) {
    int n = Math.min(limit, data.size());
    if (n == 0) {
      throw new IllegalArgumentException("no images in " + data.description());
    }
    return new AnalysisImages() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public boolean labelled() {
        return true;
      }

      @Override
      public List<String> classNames() {
        return data.classNames();
      }

      @Override
      public LabeledImage get(int index) throws IOException {
        return data.get(index);
      }

      @Override
      public int label(int index) throws IOException {
        return data.label(index);
      }

      @Override
      public String description() {
        return n == data.size() ? data.description() : "the first " + n + " images of " + data.description();
      }
    };
  }

  /**
   * A normalised NHWC batch ({@code [N, H, W, C]}) with optional labels ({@code [N]}, integral values), mapped
   * back to pixels with {@code mean}/{@code std}.
   */
  static AnalysisImages ofNormalised(RawTensor batch, Optional<RawTensor> labels, float[] mean, float[] std,
      String description) {
    long[] s = batch.shape();
    if (s.length != 4 || s[0] == 0) {
      throw new IllegalArgumentException(description + ": expected a non-empty NHWC batch [N, H, W, C], got "
          + batch.shapeString());
    }
    int n = (int) s[0];
    int h = (int) s[1];
    int w = (int) s[2];
    int c = (int) s[3];
    if (mean.length > 1 && c != mean.length) { // one mean and std: every channel's
      // an NCHW batch ([2, 3, 224, 224]) passes the rank check with 224 "channels" and failed in the first view
      throw new IllegalArgumentException(description + ": expected an NHWC batch [N, H, W, " + mean.length
          + "], got " + batch.shapeString() + (s[1] == mean.length ? " (NCHW? transpose it to NHWC)" : ""));
    }
    int[] ids = labels.map(l -> labelsOf(l, n, description)).orElse(null);
    return new AnalysisImages() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public boolean labelled() {
        return ids != null;
      }

      @Override
      public List<String> classNames() {
        return List.of();
      }

      @Override
      public LabeledImage get(int index) {
        float[] pixels = new float[h * w * c];
        int offset = index * pixels.length;
        for (int i = 0; i < pixels.length; i++) {
          int ch = i % c;
          float v = batch.values()[offset + i] * Views.channel(std, ch) + Views.channel(mean, ch);
          pixels[i] = Math.max(0f, Math.min(1f, v));
        }
        return new LabeledImage(pixels, h, w, c, ids == null ? NO_LABEL : ids[index]);
      }

      @Override
      public int label(int index) {
        return ids == null ? NO_LABEL : ids[index];
      }

      @Override
      public String description() {
        return description;
      }
    };
  }

  private static int[] labelsOf(RawTensor labels, int n, String description) {
    if (labels.values().length != n || labels.rank() > 2) {
      throw new IllegalArgumentException("the labels hold " + labels.shapeString() + " values, but " + description
          + " has " + n + " images");
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      float v = labels.values()[i];
      if (v < 0 || v != Math.rint(v)) {
        throw new IllegalArgumentException("label " + i + " is " + v + ", not a class index");
      }
      out[i] = (int) v;
    }
    return out;
  }
}
