package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.positive;

import java.util.ArrayList;
import java.util.Objects;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * 2-D convolution on NHWC maps. Variables: {@code kernel [kh, kw, in/groups, out]} (HWIO) and {@code bias [out]}.
 * {@code groups == in} is a depthwise convolution (channel multiplier out/in, output channel
 * {@code i*mult + m} as in PyTorch); other group counts are split per group, since TF's CPU kernels lack
 * grouped convolution.
 */
public final class Conv2D implements Layer, EndsInProjection {
  public record Config(
      int inChannels, int outChannels, int kernelH, int kernelW, int stride, Padding padding, int groups,
      boolean bias, Initializer kernelInit, Initializer biasInit) {
    public Config {
      positive("Conv2D.Config.inChannels", inChannels);
      positive("Conv2D.Config.outChannels", outChannels);
      positive("Conv2D.Config.kernelH", kernelH);
      positive("Conv2D.Config.kernelW", kernelW);
      positive("Conv2D.Config.stride", stride);
      positive("Conv2D.Config.groups", groups);
      Objects.requireNonNull(padding, "Conv2D.Config.padding");
      if (inChannels % groups != 0 || outChannels % groups != 0) {
        throw new IllegalArgumentException(
            "channels " + inChannels + "->" + outChannels + " are not divisible by groups " + groups);
      }
    }

    /** Square kernel, trunc-normal(0.02) init with zero bias (the unified skeleton's convention). */
    public static Config of(int in, int out, int kernel, int stride, Padding padding, boolean bias) {
      return new Config(in, out, kernel, kernel, stride, padding, 1, bias,
          Initializer.truncatedNormal(0.02f), Initializer.zeros());
    }

    /** PyTorch's default Conv2d init: U(+-1/sqrt(fan_in)) for kernel and bias. */
    public static Config torchDefault(int in, int out, int kernel, int stride, Padding padding, int groups,
        boolean bias) {
      long fanIn = (long) (in / groups) * kernel * kernel;
      return new Config(in, out, kernel, kernel, stride, padding, groups, bias,
          Initializer.torchDefault(fanIn), Initializer.torchDefault(fanIn));
    }

    /**
     * Depthwise convolution with {@code multiplier} outputs per input channel (PiT's pooling uses 2), PyTorch
     * init, square kernel.
     */
    public static Config depthwise(int channels, int multiplier, int kernel, int stride, Padding padding,
        boolean bias) {
      return torchDefault(channels, channels * multiplier, kernel, stride, padding, channels, bias);
    }

    public Config withGroups(int g) {
      return new Config(inChannels, outChannels, kernelH, kernelW, stride, padding, g, bias, kernelInit, biasInit);
    }

    public Config withInit(Initializer kernel, Initializer biasInit) {
      return new Config(inChannels, outChannels, kernelH, kernelW, stride, padding, groups, bias, kernel, biasInit);
    }

    public boolean depthwise() {
      return groups > 1 && groups == inChannels;
    }
  }

  private final Config config;
  private final Ops tf;
  private final ModelGraph model;
  private final ModelVariable kernel;
  private final ModelVariable bias;

  public Conv2D(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    this.model = scope.model();
    Shape kernelShape = config.depthwise()
        ? Shape.of(config.kernelH(), config.kernelW(), config.inChannels(), config.outChannels() / config.inChannels())
        : Shape.of(config.kernelH(), config.kernelW(), config.inChannels() / config.groups(), config.outChannels());
    this.kernel = scope.variable("kernel", kernelShape, config.kernelInit(), VariableRole.KERNEL);
    this.bias = config.bias()
        ? scope.variable("bias", Shape.of(config.outChannels()), config.biasInit(), VariableRole.BIAS)
        : null;
  }

  public Config config() {
    return config;
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    // the weights as the call reads them: with a layer scale folded in where it is inference (ModelGraph#weight)
    return convolve(input, config.padding(), model.weight(kernel, training),
        bias == null ? null : model.weight(bias, training));
  }

  /**
   * This convolution with another zero padding: a band of a map that carries its neighbours' rows (halo) is
   * padded only at the map's own edges. Without a training switch, so not for a convolution a layer scale is
   * folded into ({@link ModelGraph#unscaledWeight}).
   */
  public Operand<TFloat32> call(Operand<TFloat32> input, Padding p) {
    return convolve(input, p, model.unscaledWeight(kernel), bias == null ? null : model.unscaledWeight(bias));
  }

  /** The convolution with padding {@code p}, computed with the weights {@code k} and {@code b} (null: no bias). */
  private Operand<TFloat32> convolve(Operand<TFloat32> input, Padding p, Operand<TFloat32> k, Operand<TFloat32> b) {
    if (Shapes.dim(input, -1) != config.inChannels()) {
      throw new IllegalArgumentException("Conv2D expects " + config.inChannels() + " channels, got " + input.shape());
    }
    Operand<TFloat32> x = input;
    // Padding that TF's SAME gives for this input needs no padded copy of the map: the kernel pads as it goes.
    // (EXPLICIT padding would cover the other cases, but TF 2.18 aborts the process on it for strided
    // convolutions and for a depthwise convolution fused with a variable bias.)
    boolean same = p.tfSame() || (!p.isZero() && p.isTfSameFor(x, config.kernelH(), config.kernelW(),
        config.stride()));
    if (!same && !p.isZero()) {
      x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {p.top(), p.bottom()}, {p.left(), p.right()}, {0, 0}}),
          tf.constant(0f));
    }
    if (isPointwise() && (p.tfSame() || p.isZero())) {
      // A 1x1 convolution is a matrix product over positions: as MatMul + BiasAdd it runs in oneDNN's matrix
      // kernels (faster than its convolution kernels for 1x1, most of all at batch 1) and fuses what follows.
      long[] shape = x.shape().asArray();
      shape[0] = -1;
      shape[3] = config.outChannels();
      Operand<TFloat32> rows = tf.reshape(x, tf.constant(new long[] {-1, config.inChannels()}));
      return tf.reshape(pointwise(rows, k, b), tf.constant(shape));
    }
    if (isPatchify() && p.isZero()) {
      return patchify(x, k, b);
    }
    String mode = same ? "SAME" : "VALID";
    List<Long> strides = List.of(1L, (long) config.stride(), (long) config.stride(), 1L);
    if (config.depthwise() && config.outChannels() > config.inChannels()) {
      return depthwiseWithMultiplier(x, strides, mode, k, b);
    }
    Operand<TFloat32> y;
    if (config.depthwise()) {
      y = tf.nn.depthwiseConv2dNative(x, k, strides, mode);
    } else if (config.groups() == 1) {
      y = tf.nn.conv2d(x, k, strides, mode);
    } else {
      int g = config.groups();
      int inPer = config.inChannels() / g;
      int outPer = config.outChannels() / g;
      List<Operand<TFloat32>> parts = new ArrayList<>();
      for (int i = 0; i < g; i++) {
        Operand<TFloat32> xi = tf.stridedSlice(x, tf.constant(new int[] {0, 0, 0, i * inPer}),
            tf.constant(new int[] {0, 0, 0, (i + 1) * inPer}), tf.constant(new int[] {1, 1, 1, 1}),
            org.tensorflow.op.core.StridedSlice.beginMask(7L), org.tensorflow.op.core.StridedSlice.endMask(7L));
        Operand<TFloat32> ki = tf.stridedSlice(k, tf.constant(new int[] {0, 0, 0, i * outPer}),
            tf.constant(new int[] {0, 0, 0, (i + 1) * outPer}), tf.constant(new int[] {1, 1, 1, 1}),
            org.tensorflow.op.core.StridedSlice.beginMask(7L), org.tensorflow.op.core.StridedSlice.endMask(7L));
        parts.add(tf.nn.conv2d(xi, ki, strides, mode));
      }
      y = tf.concat(parts, tf.constant(-1));
    }
    if (b != null) {
      y = tf.math.add(y, b);
    }
    return y;
  }

  /**
   * This unpadded convolution on a whole map, computed as {@code bands} bands of output rows (as equal as the
   * output's rows allow), each from the rows of the input its outputs cover: overlapping by {@code kernel - stride}
   * rows where the windows overlap, disjoint where the kernel is the stride (a patchifying convolution). The same
   * output as {@link #call}; in a graph with row streams the bands are independent chains that TF's inter-op
   * threads run at once, instead of the whole convolution on one thread.
   */
  public Operand<TFloat32> callInOutputBands(Operand<TFloat32> input, int bands) {
    if (!config.padding().isZero()) {
      throw new IllegalArgumentException("output bands need an unpadded convolution, got " + config.padding());
    }
    int k = config.kernelH();
    int s = config.stride();
    int height = Shapes.dim(input, 1);
    int grid = height < k ? 0 : config.padding().outputSize(height, k, s, true);
    int n = Math.min(bands, grid);
    if (n <= 1) {
      return call(input, config.padding());
    }
    List<Operand<TFloat32>> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int first = grid * i / n;
      int end = grid * (i + 1) / n;
      parts.add(call(Slices.range(tf, input, 1, (long) first * s, (long) (end - 1) * s + k), config.padding()));
    }
    return MapBands.join(tf, parts);
  }

  /**
   * This convolution on horizontal bands of a map ({@link MapBands}), as bands of the output: each band extended
   * by the rows of its neighbours that its output rows reach (the padding's rows above, {@code k - stride - pad}
   * below), padded only at the map's own edges. Empty if the bands do not map to equal output bands (heights not a
   * multiple of the stride, bands thinner than the halo, TF's SAME padding): then the caller joins the map.
   */
  public Optional<List<Operand<TFloat32>>> callBands(List<Operand<TFloat32>> bands) {
    Padding p = config.padding();
    int k = config.kernelH();
    int s = config.stride();
    int above = p.top();
    int below = Math.max(0, k - s - p.top());
    if (p.tfSame()) {
      return Optional.empty();
    }
    int last = bands.size() - 1;
    List<Padding> edges = new ArrayList<>(bands.size());
    for (int i = 0; i <= last; i++) {
      int rows = Shapes.dim(bands.get(i), 1);
      Padding edge = new Padding(i == 0 ? p.top() : 0, i == last ? p.bottom() : 0, p.left(), p.right(), false);
      int extended = rows + (i > 0 ? above : 0) + (i < last ? below : 0);
      if (rows % s != 0 || rows < above || rows < below || edge.outputSize(extended, k, s, true) != rows / s) {
        return Optional.empty();
      }
      edges.add(edge);
    }
    List<Operand<TFloat32>> out = new ArrayList<>(bands.size());
    for (int i = 0; i <= last; i++) {
      out.add(call(MapBands.withHalo(tf, bands, i, above, below), edges.get(i)));
    }
    return Optional.of(out);
  }

  /**
   * This convolution on horizontal bands of any heights, as {@code outputBands} bands of output rows cut nearly
   * evenly ({@link MapBands#nearlyEvenHeights}): each output band from the input rows its windows cover, taken
   * from whichever input bands hold them ({@link MapBands#rowsAcross}), zero-padded only at the map's own edges.
   * For what {@link #callBands} cannot keep in bands: the downsampling from 14 rows in two bands of 7 to 7 rows
   * (as 4 and 3). Empty where the output has fewer rows than {@code outputBands}, or for TF's SAME padding.
   */
  public Optional<List<Operand<TFloat32>>> callBandsNearlyEvenly(List<Operand<TFloat32>> bands, int outputBands) {
    Padding p = config.padding();
    int k = config.kernelH();
    int s = config.stride();
    int height = Arrays.stream(MapBands.heights(bands)).sum();
    if (p.tfSame() || height + p.top() + p.bottom() < k) {
      return Optional.empty();
    }
    int outputHeight = p.outputSize(height, k, s, true);
    if (outputBands < 1 || outputHeight < outputBands) {
      return Optional.empty();
    }
    List<Operand<TFloat32>> out = new ArrayList<>(outputBands);
    int first = 0;
    for (int rows : MapBands.nearlyEvenHeights(outputHeight, outputBands)) {
      // output rows [first, first + rows) read padded rows [first s, (first + rows - 1) s + k)
      int from = first * s - p.top();
      int to = (first + rows - 1) * s + k - p.top();
      Padding edge = new Padding(Math.max(0, -from), Math.max(0, to - height), p.left(), p.right(), false);
      out.add(call(MapBands.rowsAcross(tf, bands, Math.max(0, from), Math.min(height, to)), edge));
      first += rows;
    }
    return Optional.of(out);
  }

  /**
   * Whether this convolution cuts the map into non-overlapping patches (square kernel = stride > 1, ungrouped):
   * a linear map of each patch, run as one.
   */
  public boolean isPatchify() {
    return config.kernelH() == config.kernelW() && config.kernelH() == config.stride() && config.stride() > 1
        && config.groups() == 1;
  }

  /**
   * A depthwise convolution with a channel multiplier as one depthwise convolution without multiplier per output
   * of an input channel, stacked so that output {@code m} of input channel {@code c} is channel {@code c * mult +
   * m} (PyTorch's order), each with its share of the bias (which TF fuses into it). oneDNN's depthwise kernel with
   * a multiplier runs about 15x slower per output (PiT's first pooling: 4 ms of a 16 ms batch-1 step). The form
   * before (the input's channels repeated in place with a {@code Tile}, then one convolution) copied the larger
   * map on one thread; these convolutions read the input as it is and are independent ops, which TF's inter-op
   * threads run at once (pit-ti batch 1, latency plan: faster in 25 of 30 alternating rounds, about 3 %).
   */
  private Operand<TFloat32> depthwiseWithMultiplier(Operand<TFloat32> x, List<Long> strides, String mode,
      Operand<TFloat32> k, Operand<TFloat32> b) {
    int mult = config.outChannels() / config.inChannels();
    // bias [in * mult] in PyTorch's order -> [in, mult]: column m is output m's bias
    Operand<TFloat32> biasColumns = b == null ? null
        : tf.reshape(b, tf.constant(new long[] {config.inChannels(), mult}));
    List<Operand<TFloat32>> outputs = new ArrayList<>(mult);
    for (int m = 0; m < mult; m++) {
      // kernel [kh, kw, in, mult] -> output m's [kh, kw, in, 1]
      Operand<TFloat32> y = tf.nn.depthwiseConv2dNative(x, Slices.range(tf, k, 3, m, m + 1), strides,
          mode);
      if (biasColumns != null) {
        y = tf.math.add(y, tf.reshape(Slices.range(tf, biasColumns, 1, m, m + 1),
            tf.constant(new long[] {config.inChannels()})));
      }
      outputs.add(y);
    }
    // [B, H, W, in, mult] -> [B, H, W, in * mult]
    Operand<TFloat32> stacked = tf.stack(outputs, Stack.axis(-1L));
    return Shapes.reshapeBatch(tf, stacked, Shapes.dim(stacked, 1), Shapes.dim(stacked, 2), config.outChannels());
  }

  /**
   * A patchifying convolution as {@code SpaceToDepth} and one matrix product: SpaceToDepth's channel order
   * {@code (row in patch, column in patch, channel)} is the HWIO kernel's, so the kernel reshapes to
   * {@code [k*k*in, out]}. oneDNN's matrix kernel runs it about twice as fast as its convolution for these shapes.
   * Maps whose sides are not multiples of the stride drop the last rows/columns, as VALID does.
   */
  private Operand<TFloat32> patchify(Operand<TFloat32> x, Operand<TFloat32> kernelValue, Operand<TFloat32> b) {
    int k = config.stride();
    int h = Shapes.dim(x, 1) / k * k;
    int w = Shapes.dim(x, 2) / k * k;
    if (h != Shapes.dim(x, 1) || w != Shapes.dim(x, 2)) {
      x = Slices.range(tf, x, new int[] {1, 2}, new long[] {0, 0}, new long[] {h, w});
    }
    long patchFeatures = (long) k * k * config.inChannels();
    Operand<TFloat32> rows = tf.reshape(tf.nn.spaceToDepth(x, (long) k),
        tf.constant(new long[] {-1, patchFeatures}));
    Operand<TFloat32> y = tf.linalg.matMul(rows,
        tf.reshape(kernelValue, tf.constant(new long[] {patchFeatures, config.outChannels()})));
    if (b != null) {
      y = tf.nn.biasAdd(y, b);
    }
    return Shapes.reshapeBatch(tf, y, h / k, w / k, config.outChannels());
  }

  /** Whether this is a 1x1, stride 1, ungrouped, unpadded convolution: a linear map of each position's channels. */
  public boolean isPointwise() {
    Padding p = config.padding();
    return config.kernelH() == 1 && config.kernelW() == 1 && config.stride() == 1 && config.groups() == 1
        && (p.tfSame() || p.isZero());
  }

  /**
   * The 1x1 convolution on positions as rows, {@code [N, in] -> [N, out]}: {@code rows @ kernel[0, 0] + bias} as
   * MatMul and BiasAdd, so that an activation applied next fuses into the same kernel. {@code training} as for
   * {@link #call(Operand, Operand)}.
   */
  public Operand<TFloat32> pointwise(Operand<TFloat32> rows, Operand<TBool> training) {
    if (!isPointwise()) {
      throw new IllegalStateException("not a 1x1 convolution: " + config);
    }
    return pointwise(rows, model.weight(kernel, training), bias == null ? null : model.weight(bias, training));
  }

  private Operand<TFloat32> pointwise(Operand<TFloat32> rows, Operand<TFloat32> k, Operand<TFloat32> b) {
    Operand<TFloat32> matrix = tf.reshape(k, tf.constant(new long[] {config.inChannels(), config.outChannels()}));
    Operand<TFloat32> y = tf.linalg.matMul(rows, matrix);
    return b == null ? y : tf.nn.biasAdd(y, b);
  }

  /**
   * This convolution's kernel {@code [kh, kw, in / groups, out]} and bias.
   *
   * @throws UnsupportedOperationException for a depthwise convolution, whose kernel's last axis is the channel
   *     multiplier, not the output channel
   */
  @Override
  public Projection outputProjection() {
    if (config.depthwise()) {
      throw new UnsupportedOperationException("a depthwise kernel's last axis is not its output channel");
    }
    return new Projection(kernel, bias);
  }
}
