package org.stmzoo.layers.mixers;

import static org.stmzoo.layers.core.ConfigChecks.positive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * U-Swin's STM (STM-Evaluation {@code SwinBlock}'s attention part) on NHWC maps: cyclic shift by
 * {@code -shift} (odd blocks), window partition, {@link WindowAttention} with the shifted-window mask, window
 * reverse, shift back.
 *
 * <p>Window and shift follow the reference's rule for the map size the model is built for: if the map is no
 * larger than the window, the window is the whole map and there is no shift (so the bias table's size depends on
 * the built resolution, as in the reference, whose loader resizes that table). The reference requires maps that
 * are multiples of the window; for other sizes (e.g. 16x16 maps of a 64-pixel input) we zero-pad the bottom and
 * right after the norm, compute the mask on the padded map and crop afterwards, as the official Swin does for
 * detection. Maps that are multiples of the window (every stage at 224) take exactly the reference path.
 */
public final class SwinMixer implements BandedLayer, EndsInProjection {
  /** Attention mask value between tokens that were not neighbours before the cyclic shift. */
  public static final float CROSS_WINDOW_MASK = -100f;

  /**
   * @param windowSize the nominal window (7); the effective one may be smaller, see {@link #window}
   * @param height map height the model is built for
   * @param shifted whether this block shifts (odd blocks of a stage)
   */
  public record Config(int dim, int heads, int windowSize, int height, int width, boolean shifted) {
    public Config {
      positive("SwinMixer.Config.dim", dim);
      positive("SwinMixer.Config.heads", heads);
      positive("SwinMixer.Config.windowSize", windowSize);
      positive("SwinMixer.Config.height", height);
      positive("SwinMixer.Config.width", width);
    }
  }

  /** The effective window and shift of a block, per the reference's rule. */
  public record Window(int size, int shift) {}

  private final Ops tf;
  private final Config config;
  private final Window window;
  private final WindowAttention attention;

  public SwinMixer(LayerScope scope, Config config) {
    this.tf = scope.tf();
    this.config = config;
    this.window = window(config);
    this.attention =
        new WindowAttention(scope, new WindowAttention.Config(config.dim(), config.heads(), window.size()));
  }

  public static Window window(Config config) {
    int smallest = Math.min(config.height(), config.width());
    if (smallest <= config.windowSize()) {
      return new Window(smallest, 0);
    }
    return new Window(config.windowSize(), config.shifted() ? config.windowSize() / 2 : 0);
  }

  public Window window() {
    return window;
  }

  /**
   * Refuses a map whose static size is not the one the window and shift were chosen for: the reference's rule
   * picks them from the map size, so another size would need another window or shift (a config for 7x7 maps on a
   * 14x14 map would attend in 7x7 windows without a shift, where the reference at 14x14 shifts by 3). An unknown
   * size passes.
   */
  private void requireBuiltSize(long height, long width) {
    Shapes.requireBuiltSize(height, width, config.height(), config.width(), () -> "SwinMixer built for "
        + config.height() + "x" + config.width() + " maps (window " + window.size() + ", shift " + window.shift()
        + ") got a " + height + "x" + width + " map");
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    requireBuiltSize(input.shape().get(1), input.shape().get(2));
    int height = Shapes.dim(input, 1);
    int width = Shapes.dim(input, 2);
    int size = window.size();
    int shift = window.shift();
    Operand<TFloat32> x = WindowPartition.padToMultiple(tf, input, size);
    int paddedH = Shapes.dim(x, 1);
    int paddedW = Shapes.dim(x, 2);
    if (shift > 0) {
      x = tf.roll(x, tf.constant(new int[] {-shift, -shift}), tf.constant(new int[] {1, 2}));
    }
    Operand<TFloat32> mask = shift > 0 ? tf.constant(shiftMask(paddedH, paddedW, size, shift)) : null;
    x = attendInWindows(x, mask, training);
    if (shift > 0) {
      x = tf.roll(x, tf.constant(new int[] {shift, shift}), tf.constant(new int[] {1, 2}));
    }
    return WindowPartition.crop(tf, x, height, width);
  }

  /** Attention inside each window of a map whose sides are multiples of the window. */
  private Operand<TFloat32> attendInWindows(Operand<TFloat32> map, Operand<TFloat32> mask, Operand<TBool> training) {
    int size = window.size();
    Operand<TFloat32> windows = attention.call(WindowPartition.partition(tf, map, size), mask, training);
    return WindowPartition.reverse(tf, windows, size, Shapes.dim(map, 1), Shapes.dim(map, 2));
  }

  /**
   * On bands whose height and width are multiples of the window (otherwise through the joined map). Unshifted:
   * each band's windows are its own. Shifted: band {@code i} of the cyclically shifted map is band {@code i}'s
   * rows from {@code shift} on plus the next band's (cyclically) first {@code shift} rows; each such band is rolled
   * along W alone, attends in its windows with its rows of the mask, and is rolled back along W; band {@code i} of
   * the result is then the previous shifted band's last {@code shift} rows plus shifted band {@code i}'s first
   * rows. The same windows, tokens and mask as the joined map's, moved by a few rows between bands.
   */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    int size = window.size();
    int shift = window.shift();
    int rows = Shapes.dim(bands.get(0), 1);
    int width = Shapes.dim(bands.get(0), 2);
    requireBuiltSize(Arrays.stream(MapBands.heights(bands)).sum(), width);
    if (shift == 0 && width == size && Arrays.stream(MapBands.heights(bands)).sum() == size) {
      return inOneWindow(bands, training);
    }
    if (!MapBands.even(bands) || rows % size != 0 || width % size != 0) {
      return MapBands.throughJoined(tf, this, bands, training);
    }
    if (shift == 0) {
      return MapBands.each(bands, b -> attendInWindows(b, null, training));
    }
    int n = bands.size();
    float[][][] mask = shiftMask(rows * n, width, size, shift);
    int windowsPerBand = rows / size * (width / size);
    List<Operand<TFloat32>> shifted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Operand<TFloat32> band = tf.concat(List.of(MapBands.rows(tf, bands.get(i), shift, rows),
          MapBands.rows(tf, bands.get((i + 1) % n), 0, shift)), tf.constant(1));
      band = tf.roll(band, tf.constant(new int[] {-shift}), tf.constant(new int[] {2}));
      Operand<TFloat32> bandMask =
          tf.constant(Arrays.copyOfRange(mask, i * windowsPerBand, (i + 1) * windowsPerBand));
      band = attendInWindows(band, bandMask, training);
      shifted.add(tf.roll(band, tf.constant(new int[] {shift}), tf.constant(new int[] {2})));
    }
    List<Operand<TFloat32>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(tf.concat(List.of(MapBands.rows(tf, shifted.get((i + n - 1) % n), rows - shift, rows),
          MapBands.rows(tf, shifted.get(i), 0, rows - shift)), tf.constant(1)));
    }
    return out;
  }

  /**
   * Bands of a map that is a single window (the last stage at 224: 7 x 7, as bands of 4 and 3 rows): each band's
   * tokens are a run of the window's, so each band's queries attend over the keys and values of all bands, with
   * its rows of the relative position bias ({@link WindowAttention#callParts}). On the joined map this attention
   * ran on one thread while the other waited.
   */
  private List<Operand<TFloat32>> inOneWindow(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    int width = Shapes.dim(bands.get(0), 2);
    int channels = Shapes.dim(bands.get(0), 3);
    List<Operand<TFloat32>> parts = MapBands.each(bands,
        b -> Shapes.reshapeBatch(tf, b, 1, Shapes.dim(b, 1) * width, channels));
    List<Operand<TFloat32>> out = attention.callParts(parts, training);
    List<Operand<TFloat32>> mapped = new ArrayList<>(out.size());
    for (int i = 0; i < out.size(); i++) {
      mapped.add(Shapes.reshapeBatch(tf, out.get(i), Shapes.dim(bands.get(i), 1), width, channels));
    }
    return mapped;
  }

  /** Bands of any heights where the map is one window ({@link #callBands}); otherwise they run joined. */
  @Override
  public boolean takesUnevenBands() {
    return true;
  }

  /**
   * The shifted-window attention mask {@code [nW, N, N]}: after the cyclic shift the map is split into 3 row
   * bands ({@code [0, H-s)}, {@code [H-s, H-shift)}, {@code [H-shift, H)}) times 3 column bands; tokens of one
   * window attend to each other (0) only when they lie in the same region, otherwise
   * {@link #CROSS_WINDOW_MASK}.
   */
  public static float[][][] shiftMask(int height, int width, int size, int shift) {
    int rowsOfWindows = height / size;
    int colsOfWindows = width / size;
    int n = size * size;
    float[][][] mask = new float[rowsOfWindows * colsOfWindows][n][n];
    for (int wr = 0; wr < rowsOfWindows; wr++) {
      for (int wc = 0; wc < colsOfWindows; wc++) {
        float[][] m = mask[wr * colsOfWindows + wc];
        for (int i = 0; i < n; i++) {
          int regionI = region(wr * size + i / size, height, size, shift) * 3
              + region(wc * size + i % size, width, size, shift);
          for (int j = 0; j < n; j++) {
            int regionJ = region(wr * size + j / size, height, size, shift) * 3
                + region(wc * size + j % size, width, size, shift);
            m[i][j] = regionI == regionJ ? 0f : CROSS_WINDOW_MASK;
          }
        }
      }
    }
    return mask;
  }

  /** Which of the reference's three slices {@code [0,-s)}, {@code [-s,-shift)}, {@code [-shift,)} holds p. */
  private static int region(int p, int length, int size, int shift) {
    if (p < length - size) {
      return 0;
    }
    return p < length - shift ? 1 : 2;
  }

  /** The window attention's {@code proj}: windows put back, the shift rolled back and the padding cropped after it. */
  @Override
  public Projection outputProjection() {
    return attention.outputProjection();
  }
}
