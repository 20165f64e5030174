package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

/**
 * An ERF measurement: the averaged contribution map and the figures of RepLKNet's {@code analyze_erf.py}: the
 * map is scaled to {@code log10(map + 1) / max}, and for each threshold t the side {@code 2i + 1} of the
 * smallest centred square holding more than t of the scaled map's total, with its area ratio.
 *
 * @param map the averaged map, {@code size x size}, row-major, before any scaling
 * @param images the images averaged
 * @param skipped images left out (a map that was not finite, or an unreadable image) and replaced by the next
 */
public record ErfResult(String model, int stage, float[] map, int size, int images, int skipped,
    List<Area> areas) {
  public static final double[] THRESHOLDS = {0.2, 0.3, 0.5, 0.99};

  /**
   * The high-contribution square for one threshold; {@code side} 0 (ratio NaN) when no square below the full map
   * holds it, or when the map is {@link #degenerate()}.
   */
  public record Area(double threshold, int side, double ratio) {}

  static ErfResult of(String model, int stage, float[] map, int size, int images, int skipped) {
    double[] scaled = scaled(map);
    List<Area> areas = new ArrayList<>();
    for (double t : THRESHOLDS) {
      areas.add(area(scaled, size, t));
    }
    return new ErfResult(model, stage, map, size, images, skipped, List.copyOf(areas));
  }

  /**
   * Whether no input pixel contributes: the averaged map is all zeros (the central feature's ReLU was inactive on
   * every image, or its gradient vanished), so it has no extent at all, rather than one wider than any square.
   */
  public boolean degenerate() {
    for (float v : map) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  /** The same measurement under another name (see {@link ModelLabels}). */
  public ErfResult withModel(String name) {
    return new ErfResult(name, stage, map, size, images, skipped, areas);
  }

  /** {@code log10(map + 1)} divided by its maximum (all zeros stay zeros). */
  public static double[] scaled(float[] map) {
    double[] out = new double[map.length];
    double max = 0;
    for (int i = 0; i < map.length; i++) {
      out[i] = Math.log10(map[i] + 1.0);
      max = Math.max(max, out[i]);
    }
    if (max > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= max;
      }
    }
    return out;
  }

  /** {@code get_rectangle}: i from 1 to {@code h // 2 - 1}, the first square over the threshold. */
  static Area area(double[] data, int size, double threshold) {
    double total = 0;
    for (double v : data) {
      total += v;
    }
    if (total == 0) {
      return new Area(threshold, 0, Double.NaN); // no share of a zero total: see degenerate()
    }
    int c = size / 2;
    for (int i = 1; i < size / 2; i++) {
      double inside = 0;
      for (int y = c - i; y <= c + i; y++) {
        for (int x = c - i; x <= c + i; x++) {
          inside += data[y * size + x];
        }
      }
      if (inside / total > threshold) {
        int side = 2 * i + 1;
        return new Area(threshold, side, (double) side / size * side / size);
      }
    }
    return new Area(threshold, 0, Double.NaN);
  }

  /** The area ratio at {@code threshold}, NaN when not reached. */
  public double ratio(double threshold) {
    return areas.stream().filter(a -> a.threshold() == threshold).mapToDouble(Area::ratio).findFirst()
        .orElse(Double.NaN);
  }

  /** {@code erf.npy} (the raw map, float32), {@code erf.png} (heat map of the scaled map), {@code erf.csv}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    NpyFile.write(dir.resolve("erf.npy"), new RawTensor(new long[] {size, size}, map));
    Figures.heatmap(dir.resolve("erf.png"), scaled(map), size, model + " ERF (stage " + stage + ")"
        + (degenerate() ? ": all zeros" : ""));
    StringBuilder csv = new StringBuilder("threshold,side,area_ratio\n");
    for (Area a : areas) {
      csv.append(String.format(Locale.ROOT, "%s,%s,%s%n", a.threshold(), a.side() == 0 ? "" : a.side(),
          Double.isNaN(a.ratio()) ? "" : String.format(Locale.ROOT, "%.6f", a.ratio())));
    }
    Files.writeString(dir.resolve("erf.csv"), csv);
  }

  /** A short summary for the console. */
  public String summary() {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s ERF of stage %d at %dx%d over %d images%s%n",
        model, stage, size, size, images, skipped == 0 ? ""
            : " (" + skipped + " skipped as unreadable or not finite, the next images taken instead)"));
    if (degenerate()) {
      return s.append("  degenerate: the map is all zeros, no input pixel contributes (no area ratios)\n").toString();
    }
    for (Area a : areas) {
      s.append(a.side() == 0
          ? String.format(Locale.ROOT, "  t=%.2f: no square below the full map holds it%n", a.threshold())
          : String.format(Locale.ROOT, "  t=%.2f: side %d, area ratio %.4f%n", a.threshold(), a.side(), a.ratio()));
    }
    return s.toString();
  }
}
