package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimit;

/**
 * NumPy's {@code .npy} format for little-endian float32 arrays in C order: magic {@code \x93NUMPY}, version,
 * header length (2 bytes in version 1, 4 bytes after), a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 224, 224, 3), }}, then the data.
 *
 * <p>The file comes from whoever calls {@code predict}, so it is read as hostile: only a regular file, at most
 * {@link #MAX_BYTES} bytes; a header of at most {@value #MAX_HEADER_BYTES} bytes (numpy's own default
 * {@code max_header_size}) parsed strictly as the literal numpy writes (exactly the three keys, each once, as
 * numpy requires); shape arithmetic overflow-checked and matched against the file size before anything is
 * allocated.
 */
public final class NpyFile {
  /** Largest file read; a float[] also caps the element count at {@link InputFiles#MAX_ARRAY_LENGTH}. */
  public static final InputLimit MAX_BYTES = new InputLimit("stmzoo.limit.npy-bytes", 2L * 1024 * 1024 * 1024);
  /** numpy's {@code max_header_size} default: a longer header is refused unread. */
  public static final int MAX_HEADER_BYTES = 10_000;
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private NpyFile() {}

  public static RawTensor read(Path file) throws IOException {
    return parse(InputFiles.readAll(file, MAX_BYTES), file);
  }

  /**
   * Parses the bytes of a {@code .npy} file named {@code file} (for messages).
   *
   * @throws WeightFormatException for anything but a well-formed little-endian float32 C-order array
   */
  public static RawTensor parse(byte[] bytes, Path file) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new WeightFormatException(file + ": not a .npy file (bad magic)");
    }
    b.position(6);
    int major = b.get() & 0xFF;
    b.get();
    if (major < 1 || major > 3) {
      throw new WeightFormatException(file + ": unsupported .npy version " + major);
    }
    if (major > 1 && b.remaining() < 4) {
      throw new WeightFormatException(file + ": truncated .npy header");
    }
    long headerLength = major == 1 ? b.getShort() & 0xFFFF : b.getInt() & 0xFFFFFFFFL;
    if (headerLength > MAX_HEADER_BYTES) {
      throw new WeightFormatException(file + ": .npy header of " + headerLength + " bytes exceeds numpy's limit of "
          + MAX_HEADER_BYTES);
    }
    if (headerLength > b.remaining()) {
      throw new WeightFormatException(file + ": .npy header length " + headerLength + " runs past the end of the"
          + " file");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    b.get(headerBytes);
    // version 3 headers are UTF-8, earlier ones latin-1; the accepted grammar is ASCII either way
    Map<String, Object> header = new HeaderParser(new String(headerBytes, StandardCharsets.ISO_8859_1), file).dict();
    if (!header.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
      throw new WeightFormatException(file + ": .npy header keys " + header.keySet()
          + " are not exactly descr, fortran_order, shape");
    }
    if (!(header.get("descr") instanceof String descr)) {
      throw new WeightFormatException(file + ": .npy header 'descr' is not a string");
    }
    ElementDecoder dtype = switch (descr) {
      case "<f4", "=f4" -> ElementDecoder.F32;
      case "<i4", "=i4" -> ElementDecoder.I32; // integer arrays (labels) are read as floats
      case "<i8", "=i8" -> ElementDecoder.I64;
      default -> throw new WeightFormatException(file
          + ": only little-endian float32 (<f4), int32 (<i4) and int64 (<i8) arrays are supported, got " + descr);
    };
    if (!(header.get("fortran_order") instanceof Boolean fortran)) {
      throw new WeightFormatException(file + ": .npy header 'fortran_order' is not True or False");
    }
    if (fortran) {
      throw new WeightFormatException(file + ": Fortran-ordered arrays are not supported");
    }
    if (!(header.get("shape") instanceof long[] shape)) {
      throw new WeightFormatException(file + ": .npy header 'shape' is not a tuple of integers");
    }
    long dataBytes = b.remaining();
    int count = TensorShapes.elementCount(file.toString(), shape);
    long needed = (long) count * dtype.bytes();
    if (needed > dataBytes) {
      throw new WeightFormatException(file + ": shape " + TensorShapes.toString(shape) + " needs more data than the "
          + dataBytes + " bytes the file holds");
    }
    if (needed != dataBytes) {
      throw new WeightFormatException(file + ": shape " + TensorShapes.toString(shape) + " needs " + needed
          + " data bytes, the file holds " + dataBytes);
    }
    return new RawTensor(shape, dtype.decode(b, count));
  }

  /** Writes a version-1 float32 C-order file (used by tests and tools that save outputs). */
  public static void write(Path file, RawTensor tensor) throws IOException {
    try (OutputStream os = Files.newOutputStream(file)) {
      os.write(encode(tensor));
    }
  }

  /** The bytes of a version-1 float32 C-order file holding {@code tensor}. */
  public static byte[] encode(RawTensor tensor) {
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
    return out.array();
  }

  /**
   * The header literal, parsed as the subset of Python numpy writes: a dict of quoted-string keys to a quoted
   * string, {@code True}/{@code False}, or a tuple of non-negative integers; whitespace anywhere, trailing commas
   * allowed, nothing after the closing brace but whitespace. Values: String, Boolean, long[].
   */
  private static final class HeaderParser {
    private final String text;
    private final Path file;
    private int pos;

    HeaderParser(String text, Path file) {
      this.text = text;
      this.file = file;
    }

    Map<String, Object> dict() {
      Map<String, Object> entries = new LinkedHashMap<>();
      expect('{');
      while (!peekIs('}')) {
        String key = string();
        expect(':');
        Object value = value();
        if (entries.put(key, value) != null) {
          throw fail("duplicate key '" + key + "'");
        }
        if (!peekIs('}')) {
          expect(',');
        }
      }
      expect('}');
      skipSpace();
      if (pos != text.length()) {
        throw fail("unexpected text after the closing brace");
      }
      return entries;
    }

    private Object value() {
      skipSpace();
      if (pos >= text.length()) {
        throw fail("header ends where a value is expected");
      }
      char c = text.charAt(pos);
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        return tuple();
      }
      if (text.startsWith("True", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (text.startsWith("False", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      throw fail("unexpected value");
    }

    private long[] tuple() {
      expect('(');
      List<Long> dims = new ArrayList<>();
      boolean sawComma = false;
      while (!peekIs(')')) {
        if (dims.size() == TensorShapes.MAX_RANK) {
          throw fail("shape has more than " + TensorShapes.MAX_RANK + " dimensions");
        }
        dims.add(integer());
        sawComma = false;
        if (!peekIs(')')) {
          expect(',');
          sawComma = true;
        }
      }
      expect(')');
      if (dims.size() == 1 && !sawComma) {
        // (5) is the integer 5 in Python, not a tuple: numpy writes (5,)
        throw fail("a one-dimensional shape must be written (N,)");
      }
      return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private long integer() {
      skipSpace();
      int start = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
        pos++;
      }
      if (start == pos) {
        throw fail("a shape dimension is not a non-negative integer");
      }
      String digits = text.substring(start, pos);
      if (pos < text.length() && text.charAt(pos) == 'L') {
        pos++; // Python 2's long suffix, which old numpy wrote
      }
      if (digits.length() > 18) {
        throw fail("shape dimension " + digits + " is too large");
      }
      return Long.parseLong(digits);
    }

    private String string() {
      skipSpace();
      if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
        throw fail("expected a quoted string");
      }
      char quote = text.charAt(pos++);
      int end = text.indexOf(quote, pos);
      if (end < 0) {
        throw fail("unterminated string");
      }
      String s = text.substring(pos, end);
      if (s.indexOf('\\') >= 0 || s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw fail("escapes and control characters in strings are not supported");
      }
      pos = end + 1;
      return s;
    }

    private boolean peekIs(char c) {
      skipSpace();
      if (pos >= text.length()) {
        throw fail("header ends before its closing '" + (c == ')' ? ')' : '}') + "'");
      }
      return text.charAt(pos) == c;
    }

    private void expect(char c) {
      skipSpace();
      if (pos >= text.length() || text.charAt(pos) != c) {
        throw fail("expected '" + c + "'");
      }
      pos++;
    }

    private void skipSpace() {
      while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\n' || text.charAt(pos) == '\t'
          || text.charAt(pos) == '\r')) {
        pos++;
      }
    }

    private WeightFormatException fail(String what) {
      return new WeightFormatException(file + ": malformed .npy header at character " + pos + ": " + what);
    }
  }
}
