package org.stmzoo.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte IDX file (the MNIST container): magic {@code 0x0000 08 ndims}, {@code ndims} big-endian int32
 * dimensions, then the values row-major. Read whole, gzip-compressed or raw (detected from the first two bytes).
 */
public record IdxFile(int[] dims, byte[] data) {
  private static final int UNSIGNED_BYTE = 0x08;

  public static IdxFile read(Path path) throws IOException {
    try (InputStream in = open(path)) {
      return parse(in, path.toString());
    } catch (EOFException e) {
      throw new IOException(path + ": truncated IDX file", e);
    }
  }

  /** Opens a file, transparently gunzipping it when it starts with the gzip magic 1f 8b. */
  static InputStream open(Path path) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
  }

  static IdxFile parse(InputStream stream, String name) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    int magic = in.readInt();
    if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
      throw new IOException(name + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
    }
    int ndims = magic & 0xff;
    if (ndims < 1 || ndims > 4) {
      throw new IOException(name + ": unsupported IDX rank " + ndims);
    }
    int[] dims = new int[ndims];
    long count = 1;
    for (int i = 0; i < ndims; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 0) {
        throw new IOException(name + ": negative IDX dimension " + dims[i]);
      }
      count *= dims[i];
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new IOException(name + ": IDX file too large (" + count + " values)");
    }
    byte[] data = new byte[(int) count];
    in.readFully(data);
    if (in.read() != -1) {
      throw new IOException(name + ": trailing bytes after " + count + " IDX values");
    }
    return new IdxFile(dims, data);
  }

  /** Number of items (the first dimension). */
  public int count() {
    return dims[0];
  }

  /** Values per item (product of the remaining dimensions). */
  public int itemSize() {
    int size = 1;
    for (int i = 1; i < dims.length; i++) {
      size *= dims[i];
    }
    return size;
  }

  @Override
  public String toString() {
    return "IdxFile" + Arrays.toString(dims);
  }
}
