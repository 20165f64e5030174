package org.stmzoo.datasets;

import java.io.IOException;
import java.util.List;

/** A view of some images of another dataset, in the given order (e.g. the first N for a quick run). */
public final class Subset implements ImageDataset {
  private final ImageDataset source;
  private final int[] indices;

  public Subset(ImageDataset source, int[] indices) {
    for (int index : indices) {
      if (index < 0 || index >= source.size()) {
        throw new IllegalArgumentException("index " + index + " outside " + source.description());
      }
    }
    this.source = source;
    this.indices = indices.clone();
  }

  /** The first {@code count} images (all of them if there are fewer). */
  public static Subset first(ImageDataset source, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("cannot take the first " + count + " images of " + source.description()
          + ": the count must be zero or more");
    }
    int[] indices = new int[Math.min(count, source.size())];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    return new Subset(source, indices);
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public List<String> classNames() {
    return source.classNames();
  }

  @Override
  public LabeledImage get(int index) throws IOException {
    return source.get(indices[index]);
  }

  @Override
  public int label(int index) throws IOException {
    return source.label(indices[index]);
  }

  @Override
  public String description() {
    return indices.length + " images of " + source.description();
  }

  @Override
  public int channels() {
    return source.channels();
  }
}
