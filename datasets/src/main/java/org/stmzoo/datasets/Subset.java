package org.stmzoo.datasets;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** A view of some images of another dataset, in the given order (e.g. a class-stratified sample for a quick run). */
public final class Subset implements ImageDataset {
  /** The label of image {@code index} of some images, read without decoding the image where the source can. */
  @FunctionalInterface
  public interface Labels {
    int label(int index) throws IOException;
  }

  private final ImageDataset source;
  private final int[] indices;
  private final String description;

  public Subset(ImageDataset source, int[] indices) {
    this(source, indices, indices.length + " images of " + source.description());
  }

  private Subset(ImageDataset source, int[] indices, String description) {
    for (int index : indices) {
      if (index < 0 || index >= source.size()) {
        throw new IllegalArgumentException("index " + index + " outside " + source.description());
      }
    }
    this.source = source;
    this.indices = indices.clone();
    this.description = description;
  }

  /**
   * A class-stratified sample of {@code count} images (all of them, as they are, if there are fewer): the first
   * {@code count} of {@link #stratifiedOrder}, so that a limit on an image folder, which lists its images class by
   * class, still holds every class. The same images, count and seed give the same sample, and a smaller count a
   * part of it.
   */
  public static ImageDataset stratified(ImageDataset source, int count, long seed) throws IOException {
    checkCount(source, count);
    if (count >= source.size()) {
      return source;
    }
    int[] order = stratifiedOrder(source.size(), source::label, seed);
    return new Subset(source, Arrays.copyOf(order, count), describeStratified(count, seed, source.description()));
  }

  /**
   * How a class-stratified sample of {@code count} images of {@code of} is described (args.json's
   * {@code val_set}, the analyses' report).
   */
  public static String describeStratified(int count, long seed, String of) {
    return String.format(Locale.ROOT, "%d images, a class-stratified sample (seed %d) of %s", count, seed, of);
  }

  /**
   * The indices {@code 0..size-1} in an order whose every prefix is a class-stratified sample: the classes in a
   * seeded random order, each class's images in a seeded shuffle, then one image per class per round (round-robin,
   * so a prefix holds each class equally, give or take one, until the smaller classes run out). Images whose label
   * cannot be read come last, in index order. The same labels and seed give the same order.
   */
  public static int[] stratifiedOrder(int size, Labels labels, long seed) {
    Map<Integer, List<Integer>> byLabel = new TreeMap<>();
    List<Integer> unlabelled = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      try {
        byLabel.computeIfAbsent(labels.label(i), k -> new ArrayList<>()).add(i);
      } catch (IOException e) {
        unlabelled.add(i);
      }
    }
    Random random = new Random(seed);
    List<List<Integer>> classes = new ArrayList<>(byLabel.values());
    for (List<Integer> members : classes) {
      Collections.shuffle(members, random);
    }
    Collections.shuffle(classes, random);
    int[] order = new int[size];
    int next = 0;
    for (int round = 0; next < size - unlabelled.size(); round++) {
      for (List<Integer> members : classes) {
        if (round < members.size()) {
          order[next++] = members.get(round);
        }
      }
    }
    for (int index : unlabelled) {
      order[next++] = index;
    }
    return order;
  }

  /** The first {@code count} images (all of them if there are fewer). */
  public static Subset first(ImageDataset source, int count) {
    checkCount(source, count);
    int[] indices = new int[Math.min(count, source.size())];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    return new Subset(source, indices);
  }

  private static void checkCount(ImageDataset source, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("cannot take " + count + " images of " + source.description()
          + ": the count must be zero or more");
    }
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
    return description;
  }

  @Override
  public int channels() {
    return source.channels();
  }
}
