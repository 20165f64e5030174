package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format for little-endian float32 arrays in C order: magic {@code \x93NUMPY}, version,
 * header length (2 bytes in version 1, 4 bytes after), a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 224, 224, 3), }}, then the data.
 */
public final class NpyFile {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyFile() {}

  public static RawTensor read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > Integer.MAX_VALUE) {
      throw new WeightFormatException(file + ": .npy files over 2 GiB are not supported");
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 10 || !Arrays.equals(Arrays.copyOf(b.array(), 6), MAGIC)) {
      throw new WeightFormatException(file + ": not a .npy file (bad magic)");
    }
    b.position(6);
    int major = b.get() & 0xFF;
    b.get();
    long headerLength = major == 1 ? b.getShort() & 0xFFFF : b.getInt() & 0xFFFFFFFFL;
    if (major < 1 || major > 3 || headerLength > b.remaining()) {
      throw new WeightFormatException(file + ": unsupported .npy version " + major
          + " or header length " + headerLength + " beyond the file");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    b.get(headerBytes);
    String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file, "descr");
    int bytes = switch (descr) {
      case "<f4", "=f4", "<i4", "=i4" -> 4;
      case "<i8", "=i8" -> 8; // integer arrays (labels) are read as floats
      default -> throw new WeightFormatException(file
          + ": only little-endian float32 (<f4), int32 (<i4) and int64 (<i8) arrays are supported, got " + descr);
    };
    if (group(FORTRAN, header, file, "fortran_order").equals("True")) {
      throw new WeightFormatException(file + ": Fortran-ordered arrays are not supported");
    }
    long[] shape = Arrays.stream(group(SHAPE, header, file, "shape").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    long count = RawTensor.elementCount(shape);
    if (count * bytes != b.remaining()) {
      throw new WeightFormatException(file + ": shape " + Arrays.toString(shape) + " needs " + count * bytes
          + " data bytes, the file holds " + b.remaining());
    }
    float[] values = new float[(int) count];
    if (descr.endsWith("f4")) {
      b.asFloatBuffer().get(values);
    } else {
      for (int i = 0; i < values.length; i++) {
        values[i] = bytes == 4 ? b.getInt() : b.getLong();
      }
    }
    return new RawTensor(shape, values);
  }

  /** Writes a version-1 float32 C-order file (used by tests and tools that save outputs). */
  public static void write(Path file, RawTensor tensor) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (long d : tensor.shape()) {
      dims.append(d).append(", ");
    }
    String shape = tensor.rank() == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2));
    StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }");
    // the magic, version and length (10 bytes) plus the header end on a 64-byte boundary, newline last
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer out = ByteBuffer.allocate(10 + header.length() + tensor.values().length * 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length())
        .put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.asFloatBuffer().put(tensor.values());
    try (OutputStream os = Files.newOutputStream(file)) {
      os.write(out.array());
    }
  }

  private static String group(Pattern p, String header, Path file, String field) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new WeightFormatException(file + ": .npy header has no " + field + ": " + header.trim());
    }
    return m.group(1);
  }
}
