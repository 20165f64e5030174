package org.stmzoo.zoo.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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
  /**
   * Strict parsing: a repeated tensor name or anything after the header object is an error rather than
   * silently resolved (the format allows only trailing spaces as padding, which JSON ignores anyway).
   */
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private SafetensorsReader() {}

  public static StateDict read(Path file) throws IOException {
    return read(file, CheckpointLimits.defaults());
  }

  public static StateDict read(Path file, CheckpointLimits limits) throws IOException {
    TorchCheckpointReader.requireRegularFile(file);
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
      ObjectNode header = parseHeader(file, StandardCharsets.UTF_8.decode(headerBytes).toString());
      long dataStart = 8 + headerLength;
      long dataSize = fileSize - dataStart;
      Map<String, TensorInfo> infos = new LinkedHashMap<>();
      long totalBytes = 0;
      for (Map.Entry<String, JsonNode> e : header.properties()) {
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        if (infos.size() == limits.maxTensors()) {
          throw new WeightFormatException(file + ": more than " + limits.maxTensors() + " tensors ("
              + CheckpointLimits.knob("tensors") + ")");
        }
        TensorInfo info = TensorInfo.parse(file, e.getKey(), e.getValue(), dataSize);
        totalBytes += info.count() * Float.BYTES; // each count is below 2^31, their number below 2^31
        if (totalBytes > limits.maxTensorBytes()) {
          throw new WeightFormatException(file + ": the tensors need more than " + limits.maxTensorBytes()
              + " bytes as float32 (" + CheckpointLimits.knob("tensor-bytes") + ")");
        }
        infos.put(e.getKey(), info);
      }
      refuseOverlaps(file, infos);
      Map<String, RawTensor> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, TensorInfo> e : infos.entrySet()) {
        TensorInfo info = e.getValue();
        float[] values = new float[(int) info.count()];
        channel.position(dataStart + info.begin());
        info.dtype().read(channel, values, file + ": tensor '" + MessageText.abbreviate(e.getKey()) + "'");
        tensors.put(e.getKey(), new RawTensor(info.shape(), values, info.dtype().integerName()));
      }
      return new StateDict(tensors);
    }
  }

  /**
   * The format gives every tensor its own bytes; tensors sharing or overlapping spans (a file forged to
   * multiply its size when read, or one whose tensors silently alias) are refused, as the reference library does.
   */
  private static void refuseOverlaps(Path file, Map<String, TensorInfo> infos) {
    List<Map.Entry<String, TensorInfo>> spans = new ArrayList<>(infos.entrySet());
    spans.removeIf(e -> e.getValue().begin() == e.getValue().end());
    spans.sort(Comparator.comparingLong(e -> e.getValue().begin()));
    for (int i = 1; i < spans.size(); i++) {
      TensorInfo previous = spans.get(i - 1).getValue();
      TensorInfo current = spans.get(i).getValue();
      if (current.begin() < previous.end()) {
        throw new WeightFormatException(file + ": tensors '" + MessageText.abbreviate(spans.get(i - 1).getKey())
            + "' [" + previous.begin() + ", " + previous.end() + ") and '"
            + MessageText.abbreviate(spans.get(i).getKey()) + "' [" + current.begin() + ", "
            + current.end() + ") overlap in the data section (each tensor must own its bytes)");
      }
    }
  }

  private static ObjectNode parseHeader(Path file, String text) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new WeightFormatException(file + ": malformed safetensors header: " + e.getOriginalMessage(), e);
    }
    if (parsed == null || !parsed.isObject()) {
      throw new WeightFormatException(file + ": safetensors header is not a JSON object");
    }
    return (ObjectNode) parsed;
  }

  /** One header entry, validated against the data section's size. */
  private record TensorInfo(ElementDecoder dtype, long[] shape, long count, long begin, long end) {
    static TensorInfo parse(Path file, String name, JsonNode entry, long dataSize) {
      String where = file + ": tensor '" + MessageText.abbreviate(name) + "'";
      if (!entry.isObject()) {
        throw new WeightFormatException(where + ": malformed header entry " + MessageText.abbreviate(entry.toString()));
      }
      String dtypeName = field(entry, "dtype", where).textValue();
      if (dtypeName == null) {
        throw new WeightFormatException(where + ": malformed header entry " + MessageText.abbreviate(entry.toString())
            + " (dtype is not a string)");
      }
      ElementDecoder dtype;
      try {
        dtype = ElementDecoder.valueOf(dtypeName);
      } catch (IllegalArgumentException e) {
        throw new WeightFormatException(where + " has unsupported dtype " + MessageText.abbreviate(dtypeName));
      }
      TensorShapes.checkRank(where, "shape", field(entry, "shape", where).size());
      long[] shape = integers(entry, "shape", where);
      long[] offsets = integers(entry, "data_offsets", where);
      if (offsets.length != 2) {
        throw new WeightFormatException(where + ": data_offsets must be [begin, end]");
      }
      long begin = offsets[0];
      long end = offsets[1];
      if (begin < 0 || end < begin || end > dataSize) {
        throw new WeightFormatException(where + " has data_offsets [" + begin + ", " + end
            + "] outside the data section (" + dataSize + " bytes): the file is truncated or corrupt");
      }
      long count = TensorShapes.elementCount(where, shape);
      if (count * dtype.bytes() != end - begin) {
        throw new WeightFormatException(where + ": shape " + TensorShapes.toString(shape) + " of "
            + dtypeName + " needs " + count + " elements, but its data_offsets span " + (end - begin) + " bytes");
      }
      return new TensorInfo(dtype, shape, count, begin, end);
    }

    private static JsonNode field(JsonNode entry, String key, String where) {
      JsonNode value = entry.get(key);
      if (value == null || value.isNull()) {
        throw new WeightFormatException(where + ": malformed header entry " + MessageText.abbreviate(entry.toString())
            + " (no " + key + ")");
      }
      return value;
    }

    /** An array of integers that fit a long; anything else (fractions, strings, huge numbers) is malformed. */
    private static long[] integers(JsonNode entry, String key, String where) {
      JsonNode array = field(entry, key, where);
      if (!array.isArray()) {
        throw new WeightFormatException(where + ": malformed header entry " + MessageText.abbreviate(entry.toString())
            + " (" + key + " is not an array)");
      }
      long[] values = new long[array.size()];
      for (int i = 0; i < values.length; i++) {
        JsonNode n = array.get(i);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
          throw new WeightFormatException(where + ": malformed header entry " + MessageText.abbreviate(entry.toString())
              + " (" + key + " holds " + MessageText.abbreviate(n.toString()) + ", not an integer)");
        }
        values[i] = n.longValue();
      }
      return values;
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
