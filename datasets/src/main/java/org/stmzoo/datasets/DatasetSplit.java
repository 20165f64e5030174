package org.stmzoo.datasets;

/** A training set and its validation set, with the same class list. */
public record DatasetSplit(ImageDataset train, ImageDataset val) {
  public DatasetSplit {
    if (!train.classNames().equals(val.classNames())) {
      throw new IllegalArgumentException("train and validation class lists differ: " + train.classNames() + " vs "
          + val.classNames());
    }
  }
}
