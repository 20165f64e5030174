package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.stmzoo.datasets.LabeledImage;

/** The first {@code limit} readable images of a source in batches; unreadable images are skipped and counted. */
final class ImageBatches {
  /** @param first the index of the batch's first image among the readable ones */
  record Batch(int first, List<LabeledImage> images) {
    int[] labels() {
      return images.stream().mapToInt(LabeledImage::label).toArray();
    }
  }

  private final AnalysisImages data;
  private final int limit;
  private final int batchSize;
  private int next;
  private int delivered;
  private int unreadable;

  ImageBatches(AnalysisImages data, int limit, int batchSize) {
    this.data = data;
    this.limit = limit;
    this.batchSize = batchSize;
  }

  /** The next batch, or null when {@code limit} images were delivered or the source is exhausted. */
  Batch next() {
    return next(batchSize);
  }

  /** As {@link #next()}, with at most {@code max} images (a caller that needs only a few more). */
  Batch next(int max) {
    int wanted = Math.min(batchSize, max);
    List<LabeledImage> images = new ArrayList<>();
    while (images.size() < wanted && delivered + images.size() < limit && next < data.size()) {
      try {
        images.add(data.get(next++));
      } catch (IOException e) {
        unreadable++;
      }
    }
    if (images.isEmpty()) {
      return null;
    }
    Batch batch = new Batch(delivered, images);
    delivered += images.size();
    return batch;
  }

  int unreadable() {
    return unreadable;
  }
}
