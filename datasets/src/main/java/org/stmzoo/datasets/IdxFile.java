package org.stmzoo.datasets;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimit;
import org.stmzoo.layers.io.InputLimitException;

/**
 * An unsigned-byte IDX file (the MNIST container): magic {@code 0x0000 08 ndims}, {@code ndims} big-endian int32
 * dimensions, then the values row-major. Read whole, gzip-compressed or raw (detected from the first two bytes).
 *
 * <p>Read as untrusted: only a regular file; a reader that knows the shape it wants says so, and another shape
 * is refused from the header; the dimensions' product is computed overflow-safe and must fit {@link #MAX_VALUES},
 * which bounds the memory a file can cost (the values are read into one array of exactly that size, no
 * transient copy); a raw file's size must match its dimensions exactly (checked before allocating); a gzip
 * stream is read up to the declared values and refused if anything follows, so one that inflates without end
 * costs no more than its declared size.
 */
public record IdxFile(int[] dims, byte[] data) {
  /**
   * Most values (decompressed bytes, as many bytes of memory) one file may hold: 2^26, above Fashion-MNIST's and
   * MNIST's largest file (47,040,000). EMNIST's larger splits need it raised.
   */
  public static final InputLimit MAX_VALUES = new InputLimit("stmzoo.limit.idx-values", 1L << 26);
  private static final int UNSIGNED_BYTE = 0x08;

  /** The file at {@code path}, of any shape. */
  public static IdxFile read(Path path) throws IOException {
    return read(path, null);
  }

  /**
   * The file at {@code path}, which must be of shape {@code [N, itemShape...]} (null: any shape); checked from
   * the header, before the values are read.
   */
  public static IdxFile read(Path path, int[] itemShape) throws IOException {
    long fileSize = InputFiles.requireRegularFile(path);
    try (InputStream raw = new BufferedInputStream(InputFiles.open(path, Long.MAX_VALUE, ""), 1 << 16)) {
      return parseDetected(raw, path, fileSize, itemShape);
    }
  }

  /** Parses the bytes of an IDX file (raw or gzipped) named {@code name} in messages. */
  public static IdxFile parse(byte[] bytes, Path name) throws IOException {
    return parse(bytes, name, null);
  }

  /** As {@link #parse(byte[], Path)}, of shape {@code [N, itemShape...]} (null: any shape). */
  public static IdxFile parse(byte[] bytes, Path name, int[] itemShape) throws IOException {
    return parseDetected(new ByteArrayInputStream(bytes), name, bytes.length, itemShape);
  }

  /** {@code in} (of {@code size} bytes, supporting mark), gzipped or raw as its first two bytes say. */
  private static IdxFile parseDetected(InputStream in, Path name, long size, int[] itemShape) throws IOException {
    try {
      in.mark(2);
      boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
      in.reset();
      return parse(gzip ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in, name,
          gzip ? -1 : size, itemShape);
    } catch (EOFException e) {
      throw new InputFileException(name, "truncated IDX file");
    } catch (ZipException e) {
      throw new InputFileException(name, "corrupt gzip stream (" + e.getMessage() + ")");
    }
  }

  /**
   * @param rawSize the file's size when it is not compressed (the dimensions must account for it exactly), or
   *     -1 for a decompressed stream
   */
  private static IdxFile parse(InputStream stream, Path name, long rawSize, int[] itemShape) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    int magic = in.readInt();
    if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
      throw new InputFileException(name, "not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic)
          + ")");
    }
    int ndims = magic & 0xff;
    if (ndims < 1 || ndims > 4) {
      throw new InputFileException(name, "unsupported IDX rank " + ndims + " (1 to 4)");
    }
    long maxValues = Math.min(MAX_VALUES.value(), InputFiles.MAX_ARRAY_LENGTH);
    int[] dims = new int[ndims];
    long count = 1;
    for (int i = 0; i < ndims; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 0) {
        throw new InputFileException(name, "negative IDX dimension " + dims[i]);
      }
    }
    if (itemShape != null && !Arrays.equals(dims, 1, ndims, itemShape, 0, itemShape.length)) {
      throw new InputFileException(name, "IDX dimensions " + Arrays.toString(dims) + " are not [N"
          + Arrays.stream(itemShape).mapToObj(d -> ", " + d).collect(Collectors.joining()) + "]");
    }
    for (int d : dims) {
      // at most 4 factors below 2^31 each: clamp once past the limit so the product cannot overflow
      count = Math.min(count * d, maxValues + 1);
    }
    long itemSize = 1;
    for (int i = 1; i < ndims; i++) {
      itemSize = Math.min(itemSize * dims[i], maxValues + 1);
    }
    if (count > maxValues || itemSize > maxValues) {
      throw new InputLimitException(name, "IDX dimensions " + Arrays.toString(dims) + " exceed the limit of "
          + maxValues + " values (" + MAX_VALUES.knob() + ")");
    }
    long headerBytes = 4 + 4L * ndims;
    if (rawSize >= 0 && rawSize != headerBytes + count) {
      throw new InputFileException(name, "IDX dimensions " + Arrays.toString(dims) + " need " + (headerBytes + count)
          + " bytes, the file holds " + rawSize);
    }
    // exactly the declared size (within the limit), filled in place: readNBytes(n) would collect the values in
    // chunks and copy them into a second array of that size
    byte[] data = new byte[(int) count];
    int read = in.readNBytes(data, 0, data.length);
    if (read != count) {
      throw new InputFileException(name, "truncated IDX file (" + read + " of " + count + " values)");
    }
    if (in.read() != -1) {
      throw new InputFileException(name, "trailing bytes after " + count + " IDX values");
    }
    return new IdxFile(dims, data);
  }

  /** Number of items (the first dimension). */
  public int count() {
    return dims[0];
  }

  /** Values per item (product of the remaining dimensions; bounded by {@link #MAX_VALUES} when read). */
  public int itemSize() {
    long size = 1;
    for (int i = 1; i < dims.length; i++) {
      // a zero anywhere makes the product zero even where the factors before it overflow (found by fuzzing)
      size = dims[i] == 0 ? 0 : Math.min(size * dims[i], Integer.MAX_VALUE + 1L);
      if (size == 0) {
        return 0;
      }
    }
    return Math.toIntExact(size);
  }

  @Override
  public String toString() {
    return "IdxFile" + Arrays.toString(dims);
  }
}
