package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The mixers' band forms compute the same function as the mixer on the joined map, with random weights and
 * inputs, for several band counts; and they take the band path (one depthwise convolution or window roll per band)
 * rather than quietly joining the map.
 */
class BandedMixersTest {
  /** {@code call(x)}, {@code joined(callBands(split(x)))}, and how many ops of {@code opType} the bands added. */
  private record Comparison(float[] joined, float[] banded, int addedOps) {}

  private static Comparison compare(Shape shape, int bands, String opType,
      Function<LayerScope, BandedLayer> mixer) {
    return compare(shape, bands, opType, mixer, false);
  }

  /** As above, the map cut {@link MapBands#splitNearlyEvenly nearly evenly} if {@code nearlyEven}. */
  private static Comparison compare(Shape shape, int bands, String opType,
      Function<LayerScope, BandedLayer> mixer, boolean nearlyEven) {
    BandedLayer[] built = new BandedLayer[1];
    try (MixerHarness h = new MixerHarness(shape, scope -> built[0] = mixer.apply(scope))) {
      int before = count(h, opType);
      Ops tf = h.model.tf();
      List<Operand<TFloat32>> split = nearlyEven ? MapBands.splitNearlyEvenly(tf, h.input, bands)
          : MapBands.split(tf, h.input, bands);
      if (nearlyEven) {
        assertThat(built[0].takesUnevenBands()).as("the mixer takes bands of different heights").isTrue();
      }
      List<Operand<TFloat32>> bandsOut = built[0].callBands(split, h.model.training());
      assertThat(MapBands.heights(bandsOut)).as("bands of the input's heights")
          .containsExactly(MapBands.heights(split));
      Operand<TFloat32> banded = MapBands.join(tf, bandsOut);
      int added = count(h, opType) - before;
      List<float[]> out = h.run(h.randomInput(), List.of(h.output, banded));
      return new Comparison(out.get(0), out.get(1), added);
    }
  }

  private static int count(MixerHarness h, String opType) {
    int n = 0;
    for (var it = h.graph.operations(); it.hasNext(); ) {
      n += ((GraphOperation) it.next()).type().equals(opType) ? 1 : 0;
    }
    return n;
  }

  @Test
  void convNeXtBandsExchangeHaloRows() {
    // 12 rows: bands of 6, 4 and 3 rows carry the 3 halo rows of a 7x7 kernel from their neighbours.
    for (int bands : new int[] {2, 3, 4}) {
      Comparison c = compare(Shape.of(2, 12, 10, 8), bands, "DepthwiseConv2dNative",
          scope -> new ConvNeXtMixer(scope, new ConvNeXtMixer.Config(8, 7)));
      assertThat(c.banded()).as("%d bands", bands).containsExactly(c.joined(), within(1e-5f));
      assertThat(c.addedOps()).as("one depthwise convolution per band").isEqualTo(bands);
    }
    // Bands of 2 rows are thinner than the halo: the joined map's convolution, still the same function.
    Comparison thin = compare(Shape.of(1, 12, 10, 8), 6, "DepthwiseConv2dNative",
        scope -> new ConvNeXtMixer(scope, new ConvNeXtMixer.Config(8, 7)));
    assertThat(thin.banded()).containsExactly(thin.joined(), within(1e-5f));
    assertThat(thin.addedOps()).isEqualTo(1);
  }

  @Test
  void mixersThatTakeUnevenBandsComputeTheSameOnThem() {
    // The unified skeleton's 7-row last stage at 224, as 4 and 3 rows (and 3, 2, 2).
    for (int bands : new int[] {2, 3}) {
      Comparison convNeXt = compare(Shape.of(2, 7, 7, 8), bands, "DepthwiseConv2dNative",
          scope -> new ConvNeXtMixer(scope, new ConvNeXtMixer.Config(8, 7)), true);
      assertThat(convNeXt.banded()).as("ConvNeXt, %d bands", bands)
          .containsExactly(convNeXt.joined(), within(1e-5f));
      // bands of 2 rows are thinner than the 7x7 kernel's halo: the joined map's convolution, cut again
      assertThat(convNeXt.addedOps()).as("one depthwise convolution per band of 3 rows or more")
          .isEqualTo(bands == 2 ? 2 : 1);
      Comparison reduction = compare(Shape.of(2, 7, 7, 8), bands, "Softmax",
          scope -> new SpatialReductionAttention(scope, SpatialReductionAttention.Config.of(8, 2, 1)), true);
      assertThat(reduction.banded()).as("PVT, %d bands", bands).containsExactly(reduction.joined(), within(1e-5f));
      assertThat(reduction.addedOps()).as("one softmax per band").isEqualTo(bands);
      for (boolean shifted : new boolean[] {false, true}) {
        // one 7x7 window (a shifted block's shift is 0 there): each band's queries over the whole window
        Comparison swin = compare(Shape.of(2, 7, 7, 8), bands, "Softmax",
            scope -> new SwinMixer(scope, new SwinMixer.Config(8, 2, 7, 7, 7, shifted)), true);
        assertThat(swin.banded()).as("Swin, %d bands", bands).containsExactly(swin.joined(), within(1e-5f));
        assertThat(swin.addedOps()).as("one softmax per band").isEqualTo(bands);
      }
      Comparison deformable = compare(Shape.of(2, 7, 6, 8), bands, "Softmax",
          scope -> new DeformableConvV3(scope, DeformableConvV3.Config.of(8, 2)), true);
      assertThat(deformable.banded()).as("DCNv3, %d bands", bands)
          .containsExactly(deformable.joined(), within(1e-5f));
      assertThat(deformable.addedOps()).as("one softmax per band").isEqualTo(bands);
    }
  }

  @Test
  void swinBandsKeepTheirWindowsAndShiftAcrossBands() {
    // A 16x8 map of 4x4 windows, shift 2: bands of 8 and 4 rows, shifted windows straddle the band edges.
    for (boolean shifted : new boolean[] {false, true}) {
      for (int bands : new int[] {2, 4}) {
        Comparison c = compare(Shape.of(2, 16, 8, 8), bands, "Roll",
            scope -> new SwinMixer(scope, new SwinMixer.Config(8, 2, 4, 16, 8, shifted)));
        assertThat(c.banded()).as("shifted %s, %d bands", shifted, bands)
            .containsExactly(c.joined(), within(1e-5f));
        assertThat(c.addedOps()).as("a roll along W and back per shifted band").isEqualTo(shifted ? 2 * bands : 0);
      }
    }
    // Bands of 2 rows cannot hold 4x4 windows: through the joined map (its two rolls).
    Comparison thin = compare(Shape.of(1, 16, 8, 8), 8, "Roll",
        scope -> new SwinMixer(scope, new SwinMixer.Config(8, 2, 4, 16, 8, true)));
    assertThat(thin.banded()).containsExactly(thin.joined(), within(1e-5f));
    assertThat(thin.addedOps()).isEqualTo(2);
  }

  @Test
  void spatialReductionBandsAttendOverTheWholeMapsKeys() {
    for (int sr : new int[] {1, 2, 4}) {
      for (int bands : new int[] {2, 4}) {
        Comparison c = compare(Shape.of(2, 8, 8, 8), bands, "Softmax",
            scope -> new SpatialReductionAttention(scope, SpatialReductionAttention.Config.of(8, 2, sr)));
        assertThat(c.banded()).as("sr %d, %d bands", sr, bands).containsExactly(c.joined(), within(1e-5f));
        assertThat(c.addedOps()).as("one softmax per band").isEqualTo(bands);
      }
    }
  }

  @Test
  void spatialReductionReducesEachBandsShareOfTheMapOnItsOwn() {
    // 14 rows in 2 bands of 7, reduced by 2 to 7 rows: 4 and 3, the window of rows 6-7 crossing the bands' edge;
    // 8 rows in 4 bands of 2, reduced by 4 to 2 rows: 2 reductions, each from two bands.
    for (int[] c : new int[][] {{14, 2, 2, 2}, {8, 4, 4, 2}, {7, 2, 2, 2}}) {
      int rows = c[0];
      int sr = c[1];
      int bands = c[2];
      Comparison reductions = compare(Shape.of(2, rows, 6, 8), bands, "SpaceToDepth",
          scope -> new SpatialReductionAttention(scope, SpatialReductionAttention.Config.of(8, 2, sr)),
          rows % bands != 0);
      assertThat(reductions.banded()).as("%d rows, sr %d, %d bands", rows, sr, bands)
          .containsExactly(reductions.joined(), within(1e-5f));
      assertThat(reductions.addedOps()).as("one reduction per band of the reduced map").isEqualTo(c[3]);
    }
  }

  @Test
  void haloBandsTakeTheirNeighboursHaloRows() {
    // 2x2 blocks with a halo of 1 on a 8x6 map: bands of 4 and 2 rows; each band's top and bottom windows reach a
    // row of the next band, the map's own edges are masked.
    for (int bands : new int[] {2, 4}) {
      Comparison c = compare(Shape.of(2, 8, 6, 8), bands, "Softmax",
          scope -> new HaloAttention(scope, new HaloAttention.Config(8, 2, 2, 1)));
      assertThat(c.banded()).as("%d bands", bands).containsExactly(c.joined(), within(1e-5f));
      assertThat(c.addedOps()).as("one softmax per band").isEqualTo(bands);
    }
    // Bands of 3 rows are not whole blocks: the joined map's attention, still the same function.
    Comparison odd = compare(Shape.of(1, 6, 6, 8), 2, "Softmax",
        scope -> new HaloAttention(scope, new HaloAttention.Config(8, 2, 2, 1)));
    assertThat(odd.banded()).containsExactly(odd.joined(), within(1e-5f));
    assertThat(odd.addedOps()).isEqualTo(1);
  }

  @Test
  void deformableBandsSampleTheWholeMap() {
    // Offsets scaled up to several rows, so that a band's queries sample its neighbours' rows (and beyond the map).
    for (int bands : new int[] {2, 4}) {
      DeformableConvV3[] built = new DeformableConvV3[1];
      try (MixerHarness h = new MixerHarness(Shape.of(2, 8, 6, 8),
          scope -> built[0] = new DeformableConvV3(scope, DeformableConvV3.Config.of(8, 2)))) {
        float[] offsets = h.values.get(h.variable("sampling_offsets/kernel"));
        for (int i = 0; i < offsets.length; i++) {
          offsets[i] *= 8;
        }
        Ops tf = h.model.tf();
        int softmaxBefore = count(h, "Softmax");
        Operand<TFloat32> banded = MapBands.join(tf,
            built[0].callBands(MapBands.split(tf, h.input, bands), h.model.training()));
        assertThat(count(h, "Softmax") - softmaxBefore).as("one softmax per band").isEqualTo(bands);
        List<float[]> out = h.run(h.randomInput(), List.of(h.output, banded));
        assertThat(out.get(1)).as("%d bands", bands).containsExactly(out.get(0), within(1e-5f));
      }
    }
  }

  @Test
  void stridedConvolutionBandsTakeTheirNeighboursHaloRow() {
    // The skeleton's 3x3 stride-2 padding-1 convolution: each band needs one row of the band above.
    for (int bands : new int[] {2, 4}) {
      Conv2D[] built = new Conv2D[1];
      try (MixerHarness h = new MixerHarness(Shape.of(2, 16, 10, 4), scope -> {
        built[0] = new Conv2D(scope, Conv2D.Config.of(4, 6, 3, 2, Padding.explicit(1), true));
        return built[0];
      })) {
        Ops tf = h.model.tf();
        List<Operand<TFloat32>> out = built[0].callBands(MapBands.split(tf, h.input, bands)).orElseThrow();
        assertThat(out).hasSize(bands);
        List<float[]> values = h.run(h.randomInput(), List.of(h.output, MapBands.join(tf, out)));
        assertThat(values.get(1)).as("%d bands", bands).containsExactly(values.get(0), within(1e-5f));
      }
    }
    // Bands of 3 rows do not map to whole output bands at stride 2 (callBandsNearlyEvenly below does).
    try (MixerHarness h = new MixerHarness(Shape.of(1, 12, 10, 4),
        scope -> new Conv2D(scope, Conv2D.Config.of(4, 6, 3, 2, Padding.explicit(1), true)))) {
      Conv2D conv = new Conv2D(h.model.root().child("other"), Conv2D.Config.of(4, 6, 3, 2, Padding.explicit(1), true));
      assertThat(conv.callBands(MapBands.split(h.model.tf(), h.input, 4))).isEmpty();
    }
  }

  /**
   * A convolution from bands of any heights into nearly even output bands: the skeleton's downsampling from 14 rows
   * in two bands of 7 to 7 rows as 4 and 3, and other kernels, strides, paddings and band counts; the same output
   * as the joined map's convolution, in bands of {@link MapBands#nearlyEvenHeights}.
   */
  @Test
  void convolutionIntoNearlyEvenBandsComputesTheSame() {
    record Case(int height, int inputBands, int kernel, int stride, int pad, int outputBands) {}
    for (Case c : List.of(new Case(14, 2, 3, 2, 1, 2), new Case(13, 2, 3, 2, 1, 2), new Case(14, 2, 3, 2, 1, 3),
        new Case(9, 3, 7, 1, 3, 2), new Case(12, 2, 4, 4, 0, 2), new Case(11, 2, 2, 2, 0, 2),
        new Case(7, 2, 3, 1, 1, 3))) {
      Conv2D[] built = new Conv2D[1];
      try (MixerHarness h = new MixerHarness(Shape.of(2, c.height(), 5, 4), scope -> {
        built[0] = new Conv2D(scope, Conv2D.Config.of(4, 6, c.kernel(), c.stride(), Padding.explicit(c.pad()), true));
        return built[0];
      })) {
        Ops tf = h.model.tf();
        List<Operand<TFloat32>> out = built[0]
            .callBandsNearlyEvenly(MapBands.splitNearlyEvenly(tf, h.input, c.inputBands()), c.outputBands())
            .orElseThrow();
        int outputHeight = (c.height() + 2 * c.pad() - c.kernel()) / c.stride() + 1;
        assertThat(MapBands.heights(out)).as("%s", c)
            .containsExactly(MapBands.nearlyEvenHeights(outputHeight, c.outputBands()));
        List<float[]> values = h.run(h.randomInput(), List.of(h.output, MapBands.join(tf, out)));
        assertThat(values.get(1)).as("%s", c).containsExactly(values.get(0), within(1e-5f));
      }
    }
    // An output of 2 rows does not make 3 bands.
    try (MixerHarness h = new MixerHarness(Shape.of(1, 4, 5, 4),
        scope -> new Conv2D(scope, Conv2D.Config.of(4, 6, 3, 2, Padding.explicit(1), true)))) {
      Conv2D conv = new Conv2D(h.model.root().child("other"), Conv2D.Config.of(4, 6, 3, 2, Padding.explicit(1), true));
      assertThat(conv.callBandsNearlyEvenly(MapBands.split(h.model.tf(), h.input, 2), 3)).isEmpty();
    }
  }
}
