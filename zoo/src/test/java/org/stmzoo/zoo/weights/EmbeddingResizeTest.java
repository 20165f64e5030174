package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The references' own resizings of size-dependent tensors, on inputs whose result is known by hand. */
class EmbeddingResizeTest {
  @Test
  void bilinearAlignCornersReproducesARampAndItsCorners() {
    // a [1, 1, 3, 5] ramp 2y + 3x resized to 5x9: source coordinates y'*(2/4), x'*(4/8), so y' + 1.5x'
    float[] ramp = new float[15];
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 5; x++) {
        ramp[y * 5 + x] = 2 * y + 3 * x;
      }
    }
    RawTensor out = EmbeddingResize.bilinearAlignCornersGrid().resize(new RawTensor(new long[] {1, 1, 3, 5}, ramp),
        new long[] {1, 5, 9, 1});
    assertThat(out.shape()).containsExactly(1, 1, 5, 9);
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 9; x++) {
        assertThat(out.values()[y * 9 + x]).isCloseTo(y + 1.5f * x, within(1e-5f));
      }
    }
  }

  @Test
  void bilinearKeepsATensorOfTheRightSizeAndRejectsOtherChannels() {
    RawTensor grid = new RawTensor(new long[] {1, 2, 3, 3}, new float[18]);
    assertThat(EmbeddingResize.bilinearAlignCornersGrid().resize(grid, new long[] {1, 3, 3, 2})).isSameAs(grid);
    assertThat(EmbeddingResize.bilinearAlignCornersGrid().resize(grid, new long[] {1, 4, 4, 5})).isNull();
  }

  @Test
  void linearAlignCornersResizesEachColumnOfATable() {
    // [5, 2]: column 0 the squares 0, 1, 4, 9, 16, column 1 constant 3. To 9 rows, row r samples r * 4/8 = r/2:
    // the squares at whole positions, their neighbours' means in between (F.interpolate linear, align_corners)
    float[] table = {0, 3, 1, 3, 4, 3, 9, 3, 16, 3};
    RawTensor up = EmbeddingResize.linearAlignCornersTable().resize(new RawTensor(new long[] {5, 2}, table),
        new long[] {9, 2});
    assertThat(up.shape()).containsExactly(9, 2);
    float[] squaresAndMeans = {0, 0.5f, 1, 2.5f, 4, 6.5f, 9, 12.5f, 16};
    for (int r = 0; r < 9; r++) {
      assertThat(up.values()[2 * r]).as("row " + r).isCloseTo(squaresAndMeans[r], within(1e-5f));
      assertThat(up.values()[2 * r + 1]).isCloseTo(3f, within(1e-5f));
    }
    // to 4 rows, row r samples r * 4/3: 0, 1 + 1/3 (1 + (4 - 1)/3 = 2), 2 + 2/3 (4 + 2(9 - 4)/3 = 22/3), 4
    RawTensor down = EmbeddingResize.linearAlignCornersTable().resize(new RawTensor(new long[] {5, 2}, table),
        new long[] {4, 2});
    assertThat(new float[] {down.values()[0], down.values()[2], down.values()[4], down.values()[6]})
        .containsExactly(new float[] {0, 2, 22f / 3, 16}, within(1e-5f));
  }

  @Test
  void linearAlignCornersKeepsATableOfTheRightSizeAndRejectsOtherWidths() {
    RawTensor table = new RawTensor(new long[] {25, 8}, new float[200]);
    assertThat(EmbeddingResize.linearAlignCornersTable().resize(table, new long[] {25, 8})).isSameAs(table);
    assertThat(EmbeddingResize.linearAlignCornersTable().resize(table, new long[] {21, 4})).isNull();
  }

  @Test
  void relativeTableKeepsEachHeadApart() {
    // [13*13, 2]: head 0 constant 1, head 1 constant -4; bicubic weights sum to 1, so a wrong head axis would show
    float[] table = new float[169 * 2];
    for (int i = 0; i < 169; i++) {
      table[2 * i] = 1;
      table[2 * i + 1] = -4;
    }
    RawTensor out = EmbeddingResize.relativePositionTable().resize(new RawTensor(new long[] {169, 2}, table),
        new long[] {9, 2});
    assertThat(out.shape()).containsExactly(9, 2);
    for (int i = 0; i < 9; i++) {
      assertThat(out.values()[2 * i]).isCloseTo(1f, within(1e-5f));
      assertThat(out.values()[2 * i + 1]).isCloseTo(-4f, within(1e-5f));
    }
  }

  @Test
  void tokenGridKeepsTheTokensAndResizesTheGrid() {
    // two tokens then a 4x4 grid of 3 channels; to a 2x2 grid
    int channels = 3;
    float[] values = new float[(2 + 16) * channels];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    RawTensor out = EmbeddingResize.tokenGrid().resize(new RawTensor(new long[] {1, 18, 3}, values),
        new long[] {1, 6, 3});
    assertThat(out.shape()).containsExactly(1, 6, 3);
    for (int i = 0; i < 2 * channels; i++) {
      assertThat(out.values()[i]).isEqualTo(values[i]);
    }
    // the grid, gathered channel-first by a direct loop, resized by the shared bicubic kernel
    float[] nchw = new float[channels * 16];
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < 16; p++) {
        nchw[c * 16 + p] = values[(2 + p) * channels + c];
      }
    }
    RawTensor expected = Layouts.resizeBicubicNchw(new RawTensor(new long[] {1, channels, 4, 4}, nchw), 2, 2);
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < 4; p++) {
        assertThat(out.values()[(2 + p) * channels + c]).isEqualTo(expected.values()[c * 4 + p]);
      }
    }
    // a tensor that already fits is kept as it is
    assertThat(EmbeddingResize.tokenGrid().resize(out, new long[] {1, 6, 3})).isSameAs(out);
  }
}
