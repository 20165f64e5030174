package org.stmzoo.export;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.stmzoo.datasets.ImageHeader;
import org.stmzoo.layers.core.Preprocessing;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TNumber;

/**
 * The evaluation preprocessing of the reference (timm/torchvision: PIL resize of the shorter side to
 * {@code floor(size / cropPct)}, center crop, ToTensor, Normalize) as graph ops, so that an exported model
 * takes raw pixels or encoded files.
 *
 * <p>Resizing uses ScaleAndTranslate with antialiasing, which is what {@code tf.image.resize(...,
 * antialias=True)} runs: its {@code keyscubic} kernel is the a = -0.5 cubic PIL uses for BICUBIC and
 * {@code triangle} is PIL's BILINEAR, and like PIL it widens the kernel when downsampling. ResizeBicubic
 * (a = -0.75, no antialiasing) would alias visibly on the usual 2-4x photo downscales. The remaining
 * difference to PIL is that PIL rounds to uint8 between its horizontal and vertical pass; we round once.
 */
public final class ImagePipeline {
  private final int size;
  private final Preprocessing preprocessing;
  private final String kernel;

  /** The first bytes of every JPEG file (the SOI marker FF D8, then the next marker's FF), as Latin-1 chars. */
  private static final String JPEG_MAGIC = "\u00ff\u00d8\u00ff";
  private static final String PALETTE_BMP_MESSAGE = "only 24- and 32-bit BMP images are decoded (TF's decoder"
      + " would read a palette BMP's colour indices as grey levels); convert the image to PNG";

  public ImagePipeline(int size, Preprocessing preprocessing) {
    if (size <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + size);
    }
    this.size = size;
    this.preprocessing = preprocessing;
    this.kernel = resizeKernel(preprocessing.interpolation());
  }

  /** The ScaleAndTranslate kernel matching a timm interpolation name. */
  static String resizeKernel(String interpolation) {
    return switch (interpolation.toLowerCase(Locale.ROOT)) {
      case "bicubic" -> "keyscubic";
      case "bilinear" -> "triangle";
      case "lanczos" -> "lanczos3";
      default -> throw new IllegalArgumentException("unsupported interpolation '" + interpolation
          + "' (supported: bicubic, bilinear, lanczos)");
    };
  }

  /**
   * The side the shorter image side is resized to before the center crop: timm's {@code floor(size / crop_pct)},
   * with {@code crop_pct} the decimal the float was written as (as the datasets' {@code EvalResizeCrop} does): in
   * float arithmetic 288 / 0.6f floors to 479 where timm's 288 / 0.6 gives 480.
   */
  public int resizeShorterSideTo() {
    return (int) Math.floor(size / Double.parseDouble(Float.toString(preprocessing.cropPct())));
  }

  /** Pixels 0-255 to the model's input: {@code (x / 255 - mean) / std} per channel. */
  public Operand<TFloat32> normalise(Ops tf, Operand<TFloat32> pixels) {
    Operand<TFloat32> unit = tf.math.div(pixels, tf.constant(255f));
    return tf.math.div(tf.math.sub(unit, tf.constant(preprocessing.mean())), tf.constant(preprocessing.std()));
  }

  /**
   * {@link #normalise} on the host, in the graph's float operation order (so results are bit-identical): for
   * feeding a model that takes normalised input the same pixels an export receives.
   */
  public static TFloat32 normaliseOnHost(TFloat32 pixels, Preprocessing preprocessing) {
    float[] mean = preprocessing.mean();
    float[] std = preprocessing.std();
    return TFloat32.tensorOf(pixels.shape(), t -> pixels.scalars().forEachIndexed((idx, v) -> {
      int c = (int) idx[idx.length - 1];
      t.setFloat((v.getFloat() / 255f - mean[c]) / std[c], idx);
    }));
  }

  /**
   * Fails with a readable message unless {@code images} is {@code [batch > 0, height > 0, width > 0, 3]}:
   * feeds bypass the placeholder's declared shape, and a wrong shape would otherwise surface as an obscure
   * error deep inside the network.
   */
  public Operand<TFloat32> checkImages(Ops tf, Operand<TFloat32> images) {
    Operand<TInt32> shape = tf.shape(images);
    // Each test is well defined for any rank (slices of the shape vector, never indices), so a feed of the
    // wrong rank reaches the assertion instead of failing inside the test.
    Operand<TBool> rank4 = tf.math.equal(tf.rank(images), tf.constant(4));
    Operand<TBool> nonEmpty = tf.reduceAll(tf.math.greater(shape, tf.constant(0)), tf.constant(0));
    Operand<TBool> rgb = tf.reduceAll(
        tf.math.equal(tf.stridedSlice(shape, Indices.sliceFrom(-1)), tf.constant(3)), tf.constant(0));
    Operand<TBool> ok = tf.math.logicalAnd(rank4, tf.math.logicalAnd(nonEmpty, rgb));
    var check = tf.assertThat(ok, List.of(tf.constant(
        "images must be float32 [batch, height, width, 3] (RGB values 0-255, no empty dimension); got shape"),
        shape));
    return tf.withControlDependencies(List.of(check)).identity(images);
  }

  /**
   * Resizes {@code [batch, h, w, 3]} to {@code size x size} when it is not already that size; images of the
   * right size pass through unchanged (not even resampled), via a Switch/Merge conditional.
   */
  public Operand<TFloat32> resizeIfNeeded(Ops tf, Operand<TFloat32> images) {
    Operand<TInt32> hw = tf.stridedSlice(tf.shape(images), Indices.slice(1, 3));
    Operand<TInt32> target = tf.constant(new int[] {size, size});
    Operand<TBool> alreadySized = tf.reduceAll(tf.math.equal(hw, target), tf.constant(0));
    SwitchCond<TFloat32> branch = tf.switchCond(images, alreadySized);
    Operand<TFloat32> resized = resize(tf, branch.outputFalse(), target);
    Operand<TFloat32> merged = tf.merge(List.of(branch.outputTrue(), resized)).output();
    return tf.ensureShape(merged, Shape.of(-1, size, size, 3));
  }

  /** Antialiased resampling of {@code [batch, h, w, c]} to {@code outputSize = [h', w']}. */
  public Operand<TFloat32> resize(Ops tf, Operand<TFloat32> images, Operand<TInt32> outputSize) {
    Operand<TFloat32> inputSize = tf.dtypes.cast(tf.stridedSlice(tf.shape(images), Indices.slice(1, 3)),
        TFloat32.class);
    Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(outputSize, TFloat32.class), inputSize);
    return scaleAndTranslate(tf, images, outputSize, scale, tf.constant(new float[] {0f, 0f}));
  }

  /**
   * The window {@code outputSize} at the origin of {@code images} scaled by {@code scale} and shifted by
   * {@code translation} (per axis, [rows, columns]), antialiased with the model's kernel.
   */
  private <T extends TNumber> Operand<TFloat32> scaleAndTranslate(Ops tf, Operand<T> images,
      Operand<TInt32> outputSize, Operand<TFloat32> scale, Operand<TFloat32> translation) {
    return tf.image.scaleAndTranslate(images, outputSize, scale, translation, ScaleAndTranslate.kernelType(kernel),
        ScaleAndTranslate.antialias(true));
  }

  /**
   * One encoded image (scalar string) to the {@code [size, size, 3]} float 0-255 center crop the reference
   * evaluates: decode as RGB ({@link #decodeRgb}: grey and RGBA are converted; an animation gives its first
   * frame), resize the shorter side to {@link #resizeShorterSideTo()} (the longer one keeping the aspect ratio,
   * truncated as torchvision does), round to 0-255 integers as PIL's uint8 result, center-crop with
   * torchvision's offsets.
   *
   * <p>The resize and the crop are one ScaleAndTranslate that samples only the crop's window of the resized image
   * (the same sample positions; the resized image is never materialised), from the decoded uint8 pixels (no
   * float copy of the whole image). Memory then grows with the decoded image and {@code size x width}, not with
   * the resized image: a 1 x 16000 PNG of a few hundred bytes resized on its shorter side would be 256 x 4096000
   * floats. Sizes are computed in int64, where {@code shorter * width} can overflow int32. Images over
   * {@link ImageHeader}'s limits ({@link #withinLimits}) and palette BMPs ({@link #notAPaletteBmp}) are refused.
   */
  public Operand<TFloat32> decodeAndCrop(Ops tf, Operand<TString> encoded) {
    // The header's dimensions are checked first, and the decoder sees the image only through the true side of a
    // Switch on that check: an image whose header is over the limits is never decoded (its decode is dead, as a
    // cond's untaken branch), where a check of the decoded shape alone let a 65 KB PNG declaring 23170 x 23170
    // pixels decode to 1.6 GB first. The refusal travels as data (zeroUnless), as the checks below.
    Operand<TInt64> gifFrames = gifFrames(tf, encoded);
    Operand<TInt64> declared = declaredSize(tf, encoded, gifFrames);
    Operand<TBool> declaredWithinLimits = withinLimits(tf, tf.stridedSlice(declared, Indices.at(0)),
        tf.stridedSlice(declared, Indices.at(1)));
    Operand<TBool> gifWalked = tf.math.equal(tf.stridedSlice(gifFrames, Indices.at(3)), tf.constant(0L));
    Operand<TBool> gifPixelsWithinLimits = tf.math.logicalAnd(gifWalked, tf.math.lessEqual(
        tf.stridedSlice(gifFrames, Indices.at(2)), tf.constant(ImageHeader.MAX_PIXELS.value())));
    // one refusal per image (the first to run would answer): the frames' total only where the largest frame passed
    Operand<TFloat32> headerRefusal = tf.math.add(zeroUnless(tf, declaredWithinLimits, limitsMessage()),
        tf.math.add(zeroUnless(tf, gifWalked, gifBlocksMessage()), zeroUnless(tf,
            tf.math.logicalOr(tf.math.logicalNot(tf.math.logicalAnd(declaredWithinLimits, gifWalked)),
                gifPixelsWithinLimits), gifFramesMessage())));
    Operand<TString> admitted = tf.switchCond(encoded,
        tf.math.logicalAnd(declaredWithinLimits, gifPixelsWithinLimits)).outputTrue();
    Operand<TUint8> pixels = decodeRgb(tf, admitted);
    Operand<TInt64> hw = tf.stridedSlice(tf.shape(pixels, TInt64.class), Indices.slice(0, 2));
    Operand<TInt64> h = tf.stridedSlice(hw, Indices.at(0));
    Operand<TInt64> w = tf.stridedSlice(hw, Indices.at(1));
    Operand<TInt64> shorter = tf.constant((long) resizeShorterSideTo());
    // torchvision: the shorter side becomes `shorter`, the longer int(shorter * long / short).
    Operand<TBool> widthIsShort = tf.math.lessEqual(w, h);
    Operand<TInt64> newH = tf.select(widthIsShort, tf.math.floorDiv(tf.math.mul(shorter, h), w), shorter);
    Operand<TInt64> newW = tf.select(widthIsShort, shorter, tf.math.floorDiv(tf.math.mul(shorter, w), h));
    Operand<TFloat32> newSize = tf.dtypes.cast(tf.stack(List.of(newH, newW)), TFloat32.class);
    // The decoded shape is checked too: a GIF's output is sized by its largest frame, which its header's logical
    // screen does not bound (see declaredSize).
    Operand<TFloat32> refusals = tf.math.add(headerRefusal, tf.math.add(
        zeroUnless(tf, withinLimits(tf, h, w), limitsMessage()),
        zeroUnless(tf, notAPaletteBmp(tf, encoded), PALETTE_BMP_MESSAGE)));
    Operand<TFloat32> scale = tf.math.add(tf.math.div(newSize, tf.dtypes.cast(hw, TFloat32.class)), refusals);
    // torchvision's CenterCrop offsets are int(round((side - size) / 2)), Python rounding half to even (rint).
    Operand<TFloat32> offsets = tf.math.rint(tf.math.div(tf.math.sub(newSize, tf.constant((float) size)),
        tf.constant(2f)));
    Operand<TFloat32> cropped = scaleAndTranslate(tf, tf.expandDims(pixels, tf.constant(0)),
        tf.constant(new int[] {size, size}), scale, tf.math.neg(offsets));
    Operand<TFloat32> rounded = tf.clipByValue(tf.math.floor(tf.math.add(cropped, tf.constant(0.5f))),
        tf.constant(0f), tf.constant(255f));
    return tf.reshape(rounded, tf.constant(new int[] {size, size, 3}));
  }

  /**
   * The {@code [height, width]} (int64) that an encoded image's header declares, read without decoding it: for a
   * JPEG (magic bytes FF D8 FF, as {@link #decodeRgb} dispatches) ExtractJpegShape, which reads only the markers up
   * to the frame header; for the formats DecodeImage recognises by their first bytes, the header fields its
   * decoders size their output by: a PNG's IHDR (big-endian 32-bit width and height at bytes 16 and 20; libpng
   * requires IHDR to be the first chunk), a BMP's little-endian signed 32-bit width and height at bytes 18 and 22
   * (a negative height is a top-down image: its magnitude counts), and for a GIF the largest frame height and
   * width of its image descriptors ({@code gifFrames}, from {@link #gifFrames}), which TF's GIF decoder sizes its output by (its logical
   * screen size is ignored). {@code [0, 0]} for anything else (DecodeImage refuses it) and for missing fields of a
   * file cut short (read as zeros; the decoder then refuses the file).
   */
  static Operand<TInt64> declaredSize(Ops tf, Operand<TString> encoded, Operand<TInt64> gifFrames) {
    SwitchCond<TString> branch = tf.switchCond(encoded, isJpeg(tf, encoded));
    Operand<TInt64> jpeg = tf.stridedSlice(tf.image.extractJpegShape(branch.outputTrue(), TInt64.class),
        Indices.slice(0, 2));
    Operand<TString> other = branch.outputFalse();
    Operand<TInt64> bytes = tf.dtypes.cast(tf.io.decodeRaw(padded(tf, other, HEADER_BYTES), TUint8.class),
        TInt64.class);
    Operand<TInt64> png = tf.stack(List.of(field(tf, bytes, 20, BIG_ENDIAN_32), field(tf, bytes, 16, BIG_ENDIAN_32)));
    Operand<TInt64> bmp = tf.math.abs(tf.stack(List.of(signed32(tf, field(tf, bytes, 22, LITTLE_ENDIAN_32)),
        signed32(tf, field(tf, bytes, 18, LITTLE_ENDIAN_32)))));
    Operand<TInt64> gif = tf.stridedSlice(gifFrames, Indices.slice(0, 2));
    Operand<TInt64> none = tf.constant(new long[] {0, 0});
    Operand<TInt64> otherSize = tf.select(startsWith(tf, other, PNG_MAGIC), png,
        tf.select(startsWith(tf, other, BMP_MAGIC), bmp, tf.select(startsWith(tf, other, GIF_MAGIC), gif, none)));
    return tf.merge(List.of(jpeg, otherSize)).output();
  }

  /** The bytes of a header field, most significant last or first: the weights of its bytes. */
  private static final long[] BIG_ENDIAN_32 = {1L << 24, 1L << 16, 1L << 8, 1L};
  private static final long[] LITTLE_ENDIAN_32 = {1L, 1L << 8, 1L << 16, 1L << 24};
  private static final long[] LITTLE_ENDIAN_16 = {1L, 1L << 8};
  /** The header bytes {@link #declaredSize} reads: up to a BMP's height (bytes 22-25). */
  private static final int HEADER_BYTES = 26;
  /** The first bytes by which TF's DecodeImage recognises PNG, BMP and GIF, as Latin-1 chars. */
  private static final String PNG_MAGIC = "\u0089PNG";
  private static final String BMP_MAGIC = "BM";
  private static final String GIF_MAGIC = "GIF8";
  /**
   * The most blocks {@link #gifFrames} walks (about 25 us each): a bound on the CPU time a GIF of hostile one-byte
   * sub-blocks can take (about 16 s at the default limit), above the blocks of any GIF whose frames together are
   * within the pixel limit: LZW codes of up to 12 bits write at most 1.5 bytes a pixel, in sub-blocks of 255 bytes
   * (encoders write full ones), plus a block for each frame's descriptor and extensions.
   */
  static long maxGifBlocks() {
    return ImageHeader.MAX_PIXELS.value() * 3 / 2 / 255 + (1L << 16);
  }

  /**
   * {@code [largest frame height, largest frame width, pixels of all frames, 1 if the walk stopped at
   * maxGifBlocks() before the GIF's end else 0]} (int64) of a GIF, from the image descriptors of its frames, without
   * decoding them; {@code [0, 0, 0, 0]} for anything else. TF's GIF decoder reads
   * every frame of an animation into memory (giflib's DGifSlurp, one byte per pixel) even though only the first is
   * returned, and sizes its RGB output by the largest frame, whatever the logical screen in the GIF's header says:
   * a GIF declaring a 1 x 1 screen may hold a 23170 x 23170 frame, or thousands of 3000 x 3000 frames (a few KB
   * each, LZW-compressed).
   *
   * <p>A while loop walks the GIF's blocks as giflib does, one block or sub-block per iteration (about one per
   * 255 bytes of pixel data): after the header and the global colour table, an image descriptor (0x2C: its width
   * and height, little-endian 16-bit at bytes 5 and 7, then its local colour table and the LZW code size) or an
   * extension (0x21 and its label), each followed by sub-blocks of a length byte and that many bytes, up to a zero
   * length; the trailer (0x3B), any other byte or the end of the data ends the walk (giflib fails on a file cut
   * short, before it would have decoded the frames past the end).
   */
  static Operand<TInt64> gifFrames(Ops tf, Operand<TString> encoded) {
    Operand<TInt64> length = tf.dtypes.cast(tf.strings.stringLength(encoded), TInt64.class);
    Operand<TInt64> screen = bytesAt(tf, encoded, tf.constant(0L), 13);
    Operand<TInt64> start = tf.math.add(tf.constant(13L), colourTableBytes(tf, tf.stridedSlice(screen,
        Indices.at(10))));
    // anything but a GIF starts at its end: no iteration
    Operand<TInt64> from = tf.select(startsWith(tf, encoded, GIF_MAGIC), start, length);
    Operand<TInt64> zero = tf.constant(0L);
    Output<?>[] initial = {encoded.asOutput(), length.asOutput(), from.asOutput(), tf.constant(false).asOutput(),
        zero.asOutput(), zero.asOutput(), zero.asOutput(), zero.asOutput()};
    Output<?>[] last = ((Graph) tf.scope().env()).whileLoop(initial,
        (cond, in, out) -> {
          Ops c = Ops.create(cond);
          out[0] = c.math.logicalAnd(c.math.logicalAnd(
              c.math.less(in[2].expect(TInt64.class), in[1].expect(TInt64.class)),
              c.math.lessEqual(in[6].expect(TInt64.class), c.constant(ImageHeader.MAX_PIXELS.value()))),
              c.math.less(in[7].expect(TInt64.class), c.constant(maxGifBlocks()))).asOutput();
        },
        (body, in, out) -> {
          Ops b = Ops.create(body);
          Operand<TString> bytes = in[0].expect(TString.class);
          Operand<TInt64> position = in[2].expect(TInt64.class);
          Operand<TBool> inSubBlocks = in[3].expect(TBool.class);
          Operand<TInt64> at = bytesAt(b, bytes, position, 10);
          Operand<TInt64> first = b.stridedSlice(at, Indices.at(0));
          // in sub-blocks: a zero length ends them, any other skips the length byte and the data
          Operand<TInt64> afterSubBlock = b.math.add(position, b.math.add(first, b.constant(1L)));
          Operand<TBool> subBlocksGoOn = b.math.notEqual(first, b.constant(0L));
          // a block: an image descriptor (10 bytes, its local colour table, the LZW code size byte) or an extension
          Operand<TBool> image = b.math.equal(first, b.constant(0x2CL));
          Operand<TBool> extension = b.math.equal(first, b.constant(0x21L));
          Operand<TInt64> frameWidth = field(b, at, 5, LITTLE_ENDIAN_16);
          Operand<TInt64> frameHeight = field(b, at, 7, LITTLE_ENDIAN_16);
          Operand<TInt64> afterDescriptor = b.math.add(position, b.math.add(b.constant(11L),
              colourTableBytes(b, b.stridedSlice(at, Indices.at(9)))));
          Operand<TInt64> afterBlock = b.select(image, afterDescriptor,
              b.select(extension, b.math.add(position, b.constant(2L)), in[1].expect(TInt64.class)));
          Operand<TBool> isFrame = b.math.logicalAnd(b.math.logicalNot(inSubBlocks), image);
          Operand<TInt64> zeroPixels = b.constant(0L);
          out[0] = in[0];
          out[1] = in[1];
          out[2] = b.select(inSubBlocks, afterSubBlock, afterBlock).asOutput();
          out[3] = b.select(inSubBlocks, subBlocksGoOn, b.constant(true)).asOutput();
          out[4] = b.math.maximum(in[4].expect(TInt64.class), b.select(isFrame, frameHeight, zeroPixels)).asOutput();
          out[5] = b.math.maximum(in[5].expect(TInt64.class), b.select(isFrame, frameWidth, zeroPixels)).asOutput();
          out[6] = b.math.add(in[6].expect(TInt64.class),
              b.select(isFrame, b.math.mul(frameWidth, frameHeight), zeroPixels)).asOutput();
          out[7] = b.math.add(in[7].expect(TInt64.class), b.constant(1L)).asOutput();
        },
        "gif_frames");
    Operand<TBool> stoppedShort = tf.math.logicalAnd(
        tf.math.greaterEqual(last[7].expect(TInt64.class), tf.constant(maxGifBlocks())),
        tf.math.less(last[2].expect(TInt64.class), length));
    return tf.stack(List.of(last[4].expect(TInt64.class), last[5].expect(TInt64.class),
        last[6].expect(TInt64.class), tf.dtypes.cast(stoppedShort, TInt64.class)));
  }

  /** The bytes of a GIF colour table whose presence and size the packed-fields byte {@code flags} gives. */
  private static Operand<TInt64> colourTableBytes(Ops tf, Operand<TInt64> flags) {
    Operand<TInt64> entries = tf.bitwise.leftShift(tf.constant(2L), tf.bitwise.bitwiseAnd(flags, tf.constant(7L)));
    return tf.select(tf.math.greaterEqual(flags, tf.constant(0x80L)), tf.math.mul(tf.constant(3L), entries),
        tf.constant(0L));
  }

  /** The {@code count} bytes of {@code encoded} from {@code position} (at most its length) as int64, zeros past its end. */
  private static Operand<TInt64> bytesAt(Ops tf, Operand<TString> encoded, Operand<TInt64> position, int count) {
    Operand<TString> joined = tf.strings.join(List.of(tf.strings.substr(encoded, position, tf.constant((long) count)),
        tf.constant(StandardCharsets.ISO_8859_1, "\u0000".repeat(count))));
    Operand<TString> exact = tf.strings.substr(joined, tf.constant(0L), tf.constant((long) count));
    return tf.dtypes.cast(tf.io.decodeRaw(exact, TUint8.class), TInt64.class);
  }

  /** The unsigned integer in {@code bytes[offset...]} (int64 vector of byte values) with byte weights {@code weights}. */
  private static Operand<TInt64> field(Ops tf, Operand<TInt64> bytes, int offset, long[] weights) {
    Operand<TInt64> slice = tf.stridedSlice(bytes, Indices.slice(offset, offset + weights.length));
    return tf.reduceSum(tf.math.mul(slice, tf.constant(weights)), tf.constant(0));
  }

  /** An unsigned 32-bit value read as the two's complement int32 it encodes. */
  private static Operand<TInt64> signed32(Ops tf, Operand<TInt64> unsigned) {
    return tf.select(tf.math.greaterEqual(unsigned, tf.constant(1L << 31)),
        tf.math.sub(unsigned, tf.constant(1L << 32)), unsigned);
  }

  /** The first {@code length} bytes of {@code encoded}, zeros after its end: Substr alone fails past the end. */
  private static Operand<TString> padded(Ops tf, Operand<TString> encoded, int length) {
    Operand<TString> joined = tf.strings.join(List.of(tf.strings.substr(encoded, tf.constant(0), tf.constant(length)),
        tf.constant(StandardCharsets.ISO_8859_1, "\u0000".repeat(length))));
    return tf.strings.substr(joined, tf.constant(0), tf.constant(length));
  }

  private static Operand<TBool> startsWith(Ops tf, Operand<TString> encoded, String magic) {
    return tf.math.equal(tf.strings.substr(encoded, tf.constant(0), tf.constant(magic.length())),
        tf.constant(StandardCharsets.ISO_8859_1, magic));
  }

  private static Operand<TBool> isJpeg(Ops tf, Operand<TString> encoded) {
    return startsWith(tf, encoded, JPEG_MAGIC);
  }

  /**
   * Whether a decoded image of {@code h x w} pixels is within {@link ImageHeader}'s pixel and aspect limits (their
   * values when the graph is built), as the in-process decoder requires. The resize's memory grows with
   * {@code size x width}: without the aspect limit a 1 x 10^8 PNG of a few kilobytes (TF's PNG decoder takes
   * widths up to 2^27) would still need gigabytes.
   */
  private static Operand<TBool> withinLimits(Ops tf, Operand<TInt64> h, Operand<TInt64> w) {
    Operand<TBool> fewEnoughPixels = tf.math.lessEqual(tf.math.mul(h, w), tf.constant(ImageHeader.MAX_PIXELS.value()));
    Operand<TBool> squareEnough = tf.math.lessEqual(tf.math.maximum(h, w),
        tf.math.mul(tf.math.minimum(h, w), tf.constant(maxAspect())));
    return tf.math.logicalAnd(fewEnoughPixels, squareEnough);
  }

  /** {@link ImageHeader#MAX_ASPECT}, capped where it stops limiting (sides are below 2^31): min * ratio fits int64. */
  private static long maxAspect() {
    return Math.min(ImageHeader.MAX_ASPECT.value(), Integer.MAX_VALUE);
  }

  private static String gifBlocksMessage() {
    return String.format(Locale.ROOT, "GIF over the export's limits: more than %d blocks to walk for its frames' sizes"
        + " (more than the frames within %s take, at its value when it was exported)", maxGifBlocks(),
        ImageHeader.MAX_PIXELS.property());
  }

  private static String gifFramesMessage() {
    return String.format(Locale.ROOT, "GIF over the export's limits: its frames together have more than %d pixels"
        + " (TF's decoder reads every frame of an animation; %s when it was exported)",
        ImageHeader.MAX_PIXELS.value(), ImageHeader.MAX_PIXELS.property());
  }

  private static String limitsMessage() {
    return String.format(Locale.ROOT, "image over the export's limits (at most %d pixels, the longer side at most %d"
        + " times the shorter: %s and %s when it was exported)", ImageHeader.MAX_PIXELS.value(), maxAspect(),
        ImageHeader.MAX_PIXELS.property(), ImageHeader.MAX_ASPECT.property());
  }

  /**
   * False for a BMP whose pixels are not 24- or 32-bit: TF's BMP decoder reads an 8-bit palette BMP's indices as
   * grey levels (a plausible, wrong image) and refuses 1-, 4- and 16-bit ones with an obscure message. The
   * bits per pixel are the little-endian 16 bits at byte 28 (the BITMAPINFOHEADER's biBitCount).
   */
  private static Operand<TBool> notAPaletteBmp(Ops tf, Operand<TString> encoded) {
    Operand<TBool> isBmp = startsWith(tf, encoded, BMP_MAGIC);
    // padded, so that a file shorter than 30 bytes has a (zero) field rather than failing Substr's range check
    Operand<TString> header = padded(tf, encoded, 30);
    Operand<TString> bitsPerPixel = tf.strings.substr(header, tf.constant(28), tf.constant(2));
    Operand<TBool> trueColour = tf.math.logicalOr(
        tf.math.equal(bitsPerPixel, tf.constant(StandardCharsets.ISO_8859_1, "\u0018\u0000")),
        tf.math.equal(bitsPerPixel, tf.constant(StandardCharsets.ISO_8859_1, "\u0020\u0000")));
    return tf.math.logicalOr(tf.math.logicalNot(isBmp), trueColour);
  }

  /**
   * 0 when {@code ok}; otherwise the run fails with {@code message}. The caller adds it into the image's data path
   * rather than using an Assert: a control dependency inside the decode loop's body does not survive TF's
   * while-loop construction (its graph import reports a "back edge"), so the check travels as data, through
   * CheckNumerics on NaN (TF appends " : Tensor had NaN values" to the message).
   */
  private static Operand<TFloat32> zeroUnless(Ops tf, Operand<TBool> ok, String message) {
    return tf.debugging.checkNumerics(tf.select(ok, tf.constant(0f), tf.constant(Float.NaN)), message);
  }

  /**
   * One encoded image (scalar string) to {@code [h, w, 3]} uint8 RGB. A JPEG (magic bytes FF D8 FF) goes through
   * DecodeJpeg with the accurate integer IDCT (libjpeg's ISLOW), the one PIL, and so the reference, and ImageIO
   * use: DecodeImage always runs JPEGs through the fast IDCT (IFAST), 1-4 levels off on detailed images. Other
   * formats go through DecodeImage (an animation gives its first frame); a Switch/Merge picks the decoder.
   */
  Operand<TUint8> decodeRgb(Ops tf, Operand<TString> encoded) {
    SwitchCond<TString> branch = tf.switchCond(encoded, isJpeg(tf, encoded));
    Operand<TUint8> jpeg = tf.image.decodeJpeg(branch.outputTrue(), DecodeJpeg.channels(3L),
        DecodeJpeg.dctMethod("INTEGER_ACCURATE"));
    Operand<TUint8> other = tf.image.decodeImage(branch.outputFalse(), TUint8.class, DecodeImage.channels(3L),
        DecodeImage.expandAnimations(false));
    return tf.merge(List.of(jpeg, other)).output();
  }

  public int size() {
    return size;
  }
}
