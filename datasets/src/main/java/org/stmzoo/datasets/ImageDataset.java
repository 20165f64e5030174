package org.stmzoo.datasets;

import java.io.IOException;
import java.util.List;

/** Random-access labelled images with a fixed class list. Implementations must be safe for concurrent get(). */
public interface ImageDataset {
  int size();

  List<String> classNames();

  /** Decodes image {@code index}; an IOException means this one image is unreadable (the loader skips it). */
  LabeledImage get(int index) throws IOException;

  /**
   * The label of image {@code index}; sources that hold their labels apart from the pixels (an image folder,
   * Fashion-MNIST) give it without decoding the image.
   */
  default int label(int index) throws IOException {
    return get(index).label();
  }

  /** One line for logs and args.json, e.g. "Fashion-MNIST train (60000 images) from /usr/share/...". */
  String description();

  /**
   * Channels of the decoded images: 3 (RGB) unless the source is grayscale (Fashion-MNIST: 1). The loader uses it
   * to size batches before decoding anything.
   */
  default int channels() {
    return 3;
  }
}
