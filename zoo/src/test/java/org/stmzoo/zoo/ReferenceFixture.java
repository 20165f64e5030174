package org.stmzoo.zoo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-side reader of the reference fixtures (../shared/fixtures/reference): float32 safetensors state_dicts
 * and little-endian float32 .npy arrays. Only what the fixtures use; the weight importer is the real thing.
 */
final class ReferenceFixture {
  /** A tensor in PyTorch's layout. */
  record Tensor(long[] shape, float[] values) {}

  private static final Pattern SAFETENSORS_ENTRY = Pattern.compile(
      "\"([^\"]+)\":\\{\"dtype\":\"F32\",\"shape\":\\[([0-9,]*)\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]\\}");
  private static final Pattern NPY_SHAPE = Pattern.compile("'shape': \\(([0-9, ]*)\\)");

  private ReferenceFixture() {}

  static Path file(String name) {
    return SharedFiles.root().resolve("fixtures/reference").resolve(name);
  }

  /** Every tensor of {@code NAME.safetensors}, in file order. */
  static Map<String, Tensor> stateDict(String reference) {
    ByteBuffer bytes = read(file(reference + ".safetensors"));
    int headerLength = Math.toIntExact(bytes.getLong(0));
    String header = StandardCharsets.UTF_8.decode(bytes.slice(8, headerLength)).toString();
    int dataStart = 8 + headerLength;
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Matcher m = SAFETENSORS_ENTRY.matcher(header);
    while (m.find()) {
      long[] shape = parseShape(m.group(2));
      int begin = Math.toIntExact(Long.parseLong(m.group(3)));
      int end = Math.toIntExact(Long.parseLong(m.group(4)));
      tensors.put(m.group(1), new Tensor(shape, floats(bytes.slice(dataStart + begin, end - begin))));
    }
    return tensors;
  }

  /** {@code NAME.SUFFIX.npy} (a C-order little-endian float32 array, format version 1). */
  static Tensor npy(String reference, String suffix) {
    ByteBuffer bytes = read(file(reference + "." + suffix + ".npy"));
    int headerLength = Short.toUnsignedInt(bytes.getShort(8));
    String header = StandardCharsets.US_ASCII.decode(bytes.slice(10, headerLength)).toString();
    if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
      throw new IllegalStateException("unsupported npy header " + header);
    }
    Matcher m = NPY_SHAPE.matcher(header);
    if (!m.find()) {
      throw new IllegalStateException("no shape in npy header " + header);
    }
    int start = 10 + headerLength;
    return new Tensor(parseShape(m.group(1)), floats(bytes.slice(start, bytes.capacity() - start)));
  }

  /** {@code values} of {@code shape} with its axes permuted: output axis i is input axis {@code perm[i]}. */
  static float[] transpose(float[] values, long[] shape, int... perm) {
    int rank = shape.length;
    long[] inStrides = new long[rank];
    long stride = 1;
    for (int a = rank - 1; a >= 0; a--) {
      inStrides[a] = stride;
      stride *= shape[a];
    }
    long[] outShape = new long[rank];
    for (int i = 0; i < rank; i++) {
      outShape[i] = shape[perm[i]];
    }
    float[] out = new float[values.length];
    long[] index = new long[rank];
    for (int o = 0; o < out.length; o++) {
      long source = 0;
      for (int i = 0; i < rank; i++) {
        source += index[i] * inStrides[perm[i]];
      }
      out[o] = values[(int) source];
      for (int i = rank - 1; i >= 0 && ++index[i] == outShape[i]; i--) {
        index[i] = 0;
      }
    }
    return out;
  }

  private static long[] parseShape(String dims) {
    return Arrays.stream(dims.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .mapToLong(Long::parseLong).toArray();
  }

  private static float[] floats(ByteBuffer slice) {
    float[] values = new float[slice.capacity() / 4];
    slice.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  private static ByteBuffer read(Path path) {
    try {
      return ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
