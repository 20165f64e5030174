package org.stmzoo.zoo.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a safetensors file: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor
 * name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets relative to the byte after the
 * header), then the data. Every size is checked against the file before anything is allocated, so a
 * truncated or hostile file is a {@link WeightFormatException}, never an OutOfMemoryError.
 */
public final class SafetensorsReader {
  /** The format's own limit on the header (100 MB); larger claims are refused before allocating. */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private SafetensorsReader() {}

  public static StateDict read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      if (fileSize < 8) {
        throw new WeightFormatException(file + ": not a safetensors file (" + fileSize
            + " bytes, shorter than the 8-byte header length)");
      }
      long headerLength = readFully(channel, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
        throw new WeightFormatException(file + ": implausible safetensors header length " + headerLength
            + " (must be between 2 and " + MAX_HEADER_BYTES + " bytes)");
      }
      if (headerLength > fileSize - 8) {
        throw new WeightFormatException(file + ": safetensors header length " + headerLength
            + " exceeds the file (" + fileSize + " bytes): the file is truncated or not safetensors");
      }
      ByteBuffer headerBytes = readFully(channel, 8, (int) headerLength, file);
      JsonObject header = parseHeader(file, StandardCharsets.UTF_8.decode(headerBytes).toString());
      long dataStart = 8 + headerLength;
      long dataSize = fileSize - dataStart;
      Map<String, RawTensor> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : header.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        TensorInfo info = TensorInfo.parse(file, e.getKey(), e.getValue(), dataSize);
        ByteBuffer bytes = readFully(channel, dataStart + info.begin(), (int) (info.end() - info.begin()), file);
        tensors.put(e.getKey(), new RawTensor(info.shape(), info.dtype().decode(bytes, (int) info.count())));
      }
      return new StateDict(tensors);
    }
  }

  private static JsonObject parseHeader(Path file, String text) {
    try {
      JsonElement parsed = JsonParser.parseString(text);
      if (!parsed.isJsonObject()) {
        throw new WeightFormatException(file + ": safetensors header is not a JSON object");
      }
      return parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new WeightFormatException(file + ": malformed safetensors header: " + e.getMessage(), e);
    }
  }

  /** One header entry, validated against the data section's size. */
  private record TensorInfo(ElementDecoder dtype, long[] shape, long count, long begin, long end) {
    static TensorInfo parse(Path file, String name, JsonElement element, long dataSize) {
      String where = file + ": tensor '" + name + "'";
      try {
        JsonObject o = element.getAsJsonObject();
        String dtypeName = o.get("dtype").getAsString();
        ElementDecoder dtype;
        try {
          dtype = ElementDecoder.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
          throw new WeightFormatException(where + " has unsupported dtype " + dtypeName);
        }
        JsonArray dims = o.getAsJsonArray("shape");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = dims.get(i).getAsLong();
          if (shape[i] < 0) {
            throw new WeightFormatException(where + " has a negative dimension");
          }
        }
        JsonArray offsets = o.getAsJsonArray("data_offsets");
        if (offsets.size() != 2) {
          throw new WeightFormatException(where + ": data_offsets must be [begin, end]");
        }
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        if (begin < 0 || end < begin || end > dataSize) {
          throw new WeightFormatException(where + " has data_offsets [" + begin + ", " + end
              + "] outside the data section (" + dataSize + " bytes): the file is truncated or corrupt");
        }
        long count;
        try {
          count = RawTensor.elementCount(shape);
        } catch (ArithmeticException e) {
          throw new WeightFormatException(where + " has an overflowing shape");
        }
        if (count > Integer.MAX_VALUE - 8 || count * dtype.bytes() != end - begin) {
          throw new WeightFormatException(where + ": shape " + java.util.Arrays.toString(shape) + " of "
              + dtypeName + " needs " + count + " elements, but its data_offsets span " + (end - begin) + " bytes");
        }
        return new TensorInfo(dtype, shape, count, begin, end);
      } catch (IllegalStateException | NullPointerException | UnsupportedOperationException
          | NumberFormatException e) {
        throw new WeightFormatException(where + ": malformed header entry " + element, e);
      }
    }
  }

  private static ByteBuffer readFully(FileChannel channel, long position, int length, Path file)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new WeightFormatException(file + ": unexpected end of file at byte " + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }
}
