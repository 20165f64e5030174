package org.stmzoo.zoo.weights;

/**
 * How a family's reference code adapts a size-dependent tensor (a position embedding, a relative-position table)
 * when the model is built for another image size than the checkpoint's. A key map declares one per variable
 * whose reference resizing differs from the generic bicubic resize of {@code [1, C, H, W]} grids
 * ({@link ReferenceLayout}). The result stays in the reference layout; the usual layout conversion follows.
 */
@FunctionalInterface
public interface EmbeddingResize {
  /**
   * @param reference the checkpoint's tensor, reference layout
   * @param variableShape the stmzoo variable's shape
   * @return {@code reference} itself if it already has the variable's size, else the resized tensor (reference
   *     layout); null if the shapes cannot correspond (reported as mis-shaped)
   */
  RawTensor resize(RawTensor reference, long[] variableShape);

  /**
   * timm 0.6.7's {@code resize_pos_embed} for ViT/DeiT position embeddings {@code [1, prefix + g*g, C]}: the class
   * (and distillation) tokens' rows are kept, the {@code g x g} grid is resized bicubically (align_corners
   * False, no antialiasing). The number of prefix tokens is what is left beyond the largest square, so up to
   * {@code 2g} tokens. timm 0.9 and later resize with {@code resample_abs_pos_embed(antialias=True)}, whose
   * PyTorch kernel is another cubic (a = -0.5, not -0.75) widened when shrinking: their embeddings differ from
   * these, most for a smaller image (shrinking a 14x14 grid of unit-variance values to 8x8 moves values by up to
   * about 2.5; enlarging it to 16x16 by about 0.4).
   */
  static EmbeddingResize tokenGrid() {
    return (reference, target) -> {
      long[] s = reference.shape();
      if (s.length != 3 || target.length != 3 || s[2] != target[2]) {
        return null;
      }
      if (s[1] == target[1]) {
        return reference;
      }
      int channels = (int) s[2];
      int from = (int) Math.sqrt((double) s[1]);
      int prefix = (int) s[1] - from * from;
      int to = (int) Math.sqrt((double) (target[1] - prefix));
      if (to * to + prefix != target[1]) {
        return null;
      }
      RawTensor grid = new RawTensor(new long[] {1, from, from, channels},
          java.util.Arrays.copyOfRange(reference.values(), prefix * channels, reference.values().length));
      RawTensor resized = Layouts.permute(
          Layouts.resizeBicubicNchw(Layouts.permute(grid, 0, 3, 1, 2), to, to), 0, 2, 3, 1);
      float[] out = new float[(prefix + to * to) * channels];
      System.arraycopy(reference.values(), 0, out, 0, prefix * channels);
      System.arraycopy(resized.values(), 0, out, prefix * channels, to * to * channels);
      return new RawTensor(target.clone(), out);
    };
  }

  /**
   * STM-Evaluation's MetaArch.load_state_dict for Swin bias tables {@code [S*S, heads]}: viewed as a
   * {@code heads x S x S} image and resized bicubically (align_corners False) to the variable's window.
   */
  static EmbeddingResize relativePositionTable() {
    return (reference, target) -> {
      long[] s = reference.shape();
      if (s.length != 2 || target.length != 2 || s[1] != target[1]) {
        return null;
      }
      if (s[0] == target[0]) {
        return reference;
      }
      int from = (int) Math.round(Math.sqrt((double) s[0]));
      int to = (int) Math.round(Math.sqrt((double) target[0]));
      if (from * from != s[0] || to * to != target[0]) {
        return null;
      }
      RawTensor image = Layouts.permute(reference, 1, 0).reshape(1, s[1], from, from);
      RawTensor resized = Layouts.resizeBicubicNchw(image, to, to);
      return Layouts.permute(resized.reshape(s[1], (long) to * to), 1, 0);
    };
  }

  /**
   * STM-Evaluation's MetaArch.load_state_dict for PVT position embeddings {@code [1, C, H, W]}:
   * {@code F.interpolate(mode='bilinear', align_corners=True)} to the variable's NHWC grid {@code [1, H', W', C]}.
   */
  static EmbeddingResize bilinearAlignCornersGrid() {
    return (reference, target) -> {
      long[] s = reference.shape();
      if (s.length != 4 || target.length != 4 || s[1] != target[3]) {
        return null;
      }
      int outH = (int) target[1];
      int outW = (int) target[2];
      if (s[2] == outH && s[3] == outW) {
        return reference;
      }
      int planes = (int) (s[0] * s[1]);
      int inH = (int) s[2];
      int inW = (int) s[3];
      float[] src = reference.values();
      float[] out = new float[planes * outH * outW];
      for (int p = 0; p < planes; p++) {
        for (int y = 0; y < outH; y++) {
          double sy = alignCornersSource(y, inH, outH);
          int y0 = (int) Math.floor(sy);
          int y1 = Math.min(y0 + 1, inH - 1);
          double dy = sy - y0;
          for (int x = 0; x < outW; x++) {
            double sx = alignCornersSource(x, inW, outW);
            int x0 = (int) Math.floor(sx);
            int x1 = Math.min(x0 + 1, inW - 1);
            double dx = sx - x0;
            int base = p * inH * inW;
            double top = src[base + y0 * inW + x0] * (1 - dx) + src[base + y0 * inW + x1] * dx;
            double bottom = src[base + y1 * inW + x0] * (1 - dx) + src[base + y1 * inW + x1] * dx;
            out[(p * outH + y) * outW + x] = (float) (top * (1 - dy) + bottom * dy);
          }
        }
      }
      return new RawTensor(new long[] {s[0], s[1], outH, outW}, out);
    };
  }

  /**
   * STM-Evaluation's MetaArch.load_state_dict for U-Halo's relative tables {@code height_rel}/{@code width_rel}
   * {@code [2w-1, d]}: each of the {@code d} columns {@code F.interpolate(mode='linear', align_corners=True)} to the
   * variable's length, as for another window {@code w = block + 2 halo}. The same sampling as
   * {@link #bilinearAlignCornersGrid()} on a grid one column wide.
   */
  static EmbeddingResize linearAlignCornersTable() {
    return (reference, target) -> {
      long[] s = reference.shape();
      if (s.length != 2 || target.length != 2 || s[1] != target[1]) {
        return null;
      }
      if (s[0] == target[0]) {
        return reference;
      }
      RawTensor column = Layouts.permute(reference, 1, 0).reshape(1, s[1], s[0], 1);
      RawTensor resized = bilinearAlignCornersGrid().resize(column, new long[] {1, target[0], 1, target[1]});
      return Layouts.permute(resized.reshape(s[1], target[0]), 1, 0);
    };
  }

  /** align_corners=True: the first and last samples of both grids coincide. */
  private static double alignCornersSource(int dst, int in, int out) {
    return out > 1 ? (double) dst * (in - 1) / (out - 1) : 0;
  }
}
