package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * An NHWC map {@code [B, H, W, C]} as {@code n} horizontal bands of {@code H / n} rows each, top to bottom: the
 * spatial form of {@link RowStreams} for networks whose blocks keep the map (the unified skeleton). Band
 * {@code i} holds rows {@code [i H/n, (i+1) H/n)}. A map whose height {@code n} does not divide (the 7-row last
 * stage at 224) can be cut {@link #splitNearlyEvenly nearly evenly} for layers that {@link
 * BandedLayer#takesUnevenBands take such bands}.
 */
public final class MapBands {
  private MapBands() {}

  /** Whether a map of {@code height} rows splits into {@code bands} equal bands. */
  public static boolean divides(int height, int bands) {
    return bands >= 1 && height % bands == 0;
  }

  /** Whether {@code layer} has a band form ({@link BandedLayer#callBands}) it can use. */
  public static boolean takesBands(Layer layer) {
    return layer instanceof BandedLayer banded && banded.takesBands();
  }

  /** Whether {@code layer} has a band form that also holds for bands of different heights. */
  public static boolean takesUnevenBands(Layer layer) {
    return takesBands(layer) && ((BandedLayer) layer).takesUnevenBands();
  }

  /** The map cut into {@code bands} equal bands along H; H must be a multiple of {@code bands}. */
  public static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> map, int bands) {
    int height = Shapes.dim(map, 1);
    if (!divides(height, bands)) {
      throw new IllegalArgumentException("a map of " + height + " rows does not split into " + bands + " bands");
    }
    if (bands == 1) {
      return List.of(map);
    }
    return List.copyOf(tf.split(tf.constant(1), map, (long) bands).output());
  }

  /**
   * The map cut into {@code bands} bands whose heights differ by at most one row, the taller ones first (7 rows in
   * two: 4 and 3); {@link #split} where they are equal. Needs at least one row per band.
   */
  public static List<Operand<TFloat32>> splitNearlyEvenly(Ops tf, Operand<TFloat32> map, int bands) {
    int height = Shapes.dim(map, 1);
    if (bands < 1 || height < bands) {
      throw new IllegalArgumentException("a map of " + height + " rows does not cut into " + bands + " bands");
    }
    return splitInto(tf, map, nearlyEvenHeights(height, bands));
  }

  /** The heights of {@code bands} bands of a {@code height}-row map cut nearly evenly, the taller ones first. */
  public static int[] nearlyEvenHeights(int height, int bands) {
    int[] heights = new int[bands];
    for (int i = 0; i < bands; i++) {
      heights[i] = height / bands + (i < height % bands ? 1 : 0);
    }
    return heights;
  }

  /** The bands' heights, top to bottom. */
  public static int[] heights(List<Operand<TFloat32>> bands) {
    return bands.stream().mapToInt(b -> Shapes.dim(b, 1)).toArray();
  }

  /**
   * Rows {@code [from, to)} of the map the bands make up, from whichever bands hold them: a band itself where the
   * rows are exactly one band, otherwise its slices, joined.
   */
  public static Operand<TFloat32> rowsAcross(Ops tf, List<Operand<TFloat32>> bands, int from, int to) {
    List<Operand<TFloat32>> parts = new ArrayList<>();
    int top = 0;
    for (Operand<TFloat32> band : bands) {
      int height = Shapes.dim(band, 1);
      int a = Math.max(from, top);
      int b = Math.min(to, top + height);
      if (a < b) {
        parts.add(a == top && b == top + height ? band : rows(tf, band, a - top, b - top));
      }
      top += height;
    }
    if (parts.isEmpty() || from < 0 || to > top) {
      throw new IllegalArgumentException("rows [" + from + ", " + to + ") are not in a map of " + top + " rows");
    }
    return join(tf, parts);
  }

  /** Whether the bands all have the same height. */
  public static boolean even(List<Operand<TFloat32>> bands) {
    return Arrays.stream(heights(bands)).distinct().count() <= 1;
  }

  /** The map cut into bands of the given heights, top to bottom ({@link #split} where they are equal). */
  private static List<Operand<TFloat32>> splitInto(Ops tf, Operand<TFloat32> map, int[] heights) {
    int total = 0;
    for (int h : heights) {
      total += h;
    }
    if (total != Shapes.dim(map, 1)) {
      throw new IllegalArgumentException("bands of " + Arrays.toString(heights) + " rows do not make a map of "
          + Shapes.dim(map, 1));
    }
    if (Arrays.stream(heights).distinct().count() == 1) {
      return split(tf, map, heights.length);
    }
    return List.copyOf(tf.splitV(map, tf.constant(heights), tf.constant(1), (long) heights.length).output());
  }

  /** The bands joined back into one map. */
  public static Operand<TFloat32> join(Ops tf, List<Operand<TFloat32>> bands) {
    return bands.size() == 1 ? bands.get(0) : tf.concat(bands, tf.constant(1));
  }

  /** {@code f} on each band alone: for position-wise functions. */
  public static List<Operand<TFloat32>> each(List<Operand<TFloat32>> bands, UnaryOperator<Operand<TFloat32>> f) {
    List<Operand<TFloat32>> out = new ArrayList<>(bands.size());
    for (Operand<TFloat32> band : bands) {
      out.add(f.apply(band));
    }
    return out;
  }

  /** {@code a_i + b_i} band by band. */
  public static List<Operand<TFloat32>> add(Ops tf, List<Operand<TFloat32>> a, List<Operand<TFloat32>> b) {
    List<Operand<TFloat32>> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(tf.math.add(a.get(i), b.get(i)));
    }
    return out;
  }

  /** Rows {@code [from, to)} of one band (or map). */
  public static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> band, int from, int to) {
    return Slices.range(tf, band, 1, from, to);
  }

  /**
   * {@code layer} on bands: its own {@link BandedLayer#callBands} where it has one for these bands (equal heights,
   * or {@link BandedLayer#takesUnevenBands} too), otherwise on the joined map, cut again into bands of the same
   * heights.
   */
  public static List<Operand<TFloat32>> call(Ops tf, Layer layer, List<Operand<TFloat32>> bands,
      Operand<TBool> training) {
    boolean own = even(bands) ? takesBands(layer) : takesUnevenBands(layer);
    return own ? ((BandedLayer) layer).callBands(bands, training) : throughJoined(tf, layer, bands, training);
  }

  /** {@code layer} on the joined map, cut again into bands of the same heights: the fallback of a band form. */
  public static List<Operand<TFloat32>> throughJoined(Ops tf, Layer layer, List<Operand<TFloat32>> bands,
      Operand<TBool> training) {
    return splitInto(tf, layer.call(join(tf, bands), training), heights(bands));
  }

  /**
   * Band {@code i} extended by its neighbours' nearest rows: the last {@code above} rows of band {@code i - 1} and
   * the first {@code below} rows of band {@code i + 1}, where those bands exist (the map's own edges get nothing;
   * the caller pads them as the layer would pad the joined map).
   */
  public static Operand<TFloat32> withHalo(Ops tf, List<Operand<TFloat32>> bands, int i, int above, int below) {
    List<Operand<TFloat32>> rows = new ArrayList<>(3);
    if (i > 0 && above > 0) {
      Operand<TFloat32> previous = bands.get(i - 1);
      int height = Shapes.dim(previous, 1);
      rows.add(rows(tf, previous, height - above, height));
    }
    rows.add(bands.get(i));
    if (i < bands.size() - 1 && below > 0) {
      rows.add(rows(tf, bands.get(i + 1), 0, below));
    }
    return rows.size() == 1 ? rows.get(0) : tf.concat(rows, tf.constant(1));
  }
}
