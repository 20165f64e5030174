package org.stmzoo.datasets;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
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
 * <p>Read as untrusted: only a regular file; the dimensions' product is computed overflow-safe and must fit
 * {@link #MAX_VALUES}; a raw file's size must match its dimensions exactly (checked before allocating); a gzip
 * stream is decompressed through a bound of header + values + 1 bytes, and the buffer grows only with the data
 * actually present, so a small file that claims huge dimensions or inflates without end costs nothing.
 */
public record IdxFile(int[] dims, byte[] data) {
  /** Most values (decompressed bytes) one file may hold; Fashion-MNIST's largest holds 47 million. */
  public static final InputLimit MAX_VALUES = new InputLimit("stmzoo.limit.idx-values", 1L << 30);
  private static final int UNSIGNED_BYTE = 0x08;

  public static IdxFile read(Path path) throws IOException {
    long fileSize = InputFiles.requireRegularFile(path);
    try (InputStream raw = new BufferedInputStream(InputFiles.open(path, Long.MAX_VALUE, ""), 1 << 16)) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      return parse(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw, path,
          gzip ? -1 : fileSize);
    } catch (EOFException e) {
      throw new InputFileException(path, "truncated IDX file");
    } catch (ZipException e) {
      throw new InputFileException(path, "corrupt gzip stream (" + e.getMessage() + ")");
    }
  }

  /** Parses the bytes of an IDX file (raw or gzipped) named {@code name} in messages. */
  public static IdxFile parse(byte[] bytes, Path name) throws IOException {
    boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    InputStream in = new ByteArrayInputStream(bytes);
    try {
      return parse(gzip ? new GZIPInputStream(in, 1 << 16) : in, name, gzip ? -1 : bytes.length);
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
  private static IdxFile parse(InputStream stream, Path name, long rawSize) throws IOException {
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
    // grows with the bytes actually read, so a claim the data does not back allocates nothing large
    byte[] data = in.readNBytes((int) count);
    if (data.length != count) {
      throw new InputFileException(name, "truncated IDX file (" + data.length + " of " + count + " values)");
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
