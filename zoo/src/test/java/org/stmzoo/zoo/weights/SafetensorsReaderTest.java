package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.zoo.SharedFiles;

class SafetensorsReaderTest {
  @TempDir Path dir;

  /** header JSON + raw data, with the 8-byte length the format prescribes (or a forged one). */
  private Path file(String header, byte[] data, Long forgedLength) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(forgedLength != null ? forgedLength : h.length).put(h).put(data);
    Path p = dir.resolve("t.safetensors");
    Files.write(p, b.array());
    return p;
  }

  private static byte[] littleEndian(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  @Test
  void readsFloat32Float16AndBfloat16() throws IOException {
    byte[] f32 = littleEndian(1f, -2f, 3.5f, 0.25f, 5f, 6f);
    // float16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 0x0001 = 2^-24
    byte[] f16 = {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0xFF, 0x7B, 0x01, 0x00};
    // bfloat16: upper halves of 1.5f (0x3FC00000) and -0.5f (0xBF000000)
    byte[] bf16 = {(byte) 0xC0, 0x3F, 0x00, (byte) 0xBF};
    ByteBuffer data = ByteBuffer.allocate(f32.length + f16.length + bf16.length).put(f32).put(f16).put(bf16);
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
        + "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
        + "\"c\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[32,36]}}";
    StateDict sd = SafetensorsReader.read(file(header, data.array(), null));
    assertThat(sd.keys()).containsExactly("a.weight", "b", "c");
    assertThat(sd.get("a.weight").shape()).containsExactly(2, 3);
    assertThat(sd.get("a.weight").values()).containsExactly(1f, -2f, 3.5f, 0.25f, 5f, 6f);
    assertThat(sd.get("b").values()).containsExactly(1f, -2f, 65504f, (float) Math.pow(2, -24));
    assertThat(sd.get("c").values()).containsExactly(1.5f, -0.5f);
    assertThat(List.of("a.weight", "b", "c")).allSatisfy(k -> assertThat(sd.get(k).integerType()).isNull());
  }

  @Test
  void integerTensorsSayWhichIntegerTypeTheyCameFrom() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(8 + 2).order(ByteOrder.LITTLE_ENDIAN).putLong(7).put((byte) -3)
        .put((byte) 250);
    String header = "{\"steps\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
        + "\"codes\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[8,9]},"
        + "\"mask\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[9,10]}}";
    StateDict sd = SafetensorsReader.read(file(header, data.array(), null));
    assertThat(sd.get("steps").values()).containsExactly(7f);
    assertThat(sd.get("steps").integerType()).isEqualTo("int64");
    assertThat(sd.get("codes").values()).containsExactly(-3f);
    assertThat(sd.get("codes").integerType()).isEqualTo("int8");
    assertThat(sd.get("mask").values()).containsExactly(250f);
    assertThat(sd.get("mask").integerType()).isEqualTo("uint8");
    assertThat(sd.get("mask").reshape().integerType()).isEqualTo("uint8");
  }

  @Test
  void readsTheReferenceFixture() throws IOException {
    StateDict sd = SafetensorsReader.read(
        SharedFiles.root().resolve("fixtures/reference/unified_convnext_micro.safetensors"));
    assertThat(sd.size()).isEqualTo(304);
    assertThat(sd.get("head.weight").shape()).containsExactly(1000, 384);
    assertThat(sd.get("stages.0.0.dwconv.weight").shape()).containsExactly(32, 1, 7, 7);
  }

  @Test
  void fileShorterThanTheLengthField() throws IOException {
    Path p = dir.resolve("short.safetensors");
    Files.write(p, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafetensorsReader.read(p))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("shorter than the 8-byte header length");
  }

  @Test
  void headerLengthBeyondTheFile() throws IOException {
    Path p = file("{\"a\":{}}", new byte[0], 4096L);
    assertThatThrownBy(() -> SafetensorsReader.read(p))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("exceeds the file");
  }

  @Test
  void absurdHeaderLengthIsRefusedBeforeAllocating() throws IOException {
    Path p = file("{}", new byte[0], Long.MAX_VALUE / 2);
    assertThatThrownBy(() -> SafetensorsReader.read(p))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("implausible safetensors header length");
  }

  @Test
  void malformedJson() throws IOException {
    Path p = file("{\"a\": {\"dtype\": \"F32\", ", new byte[0], null);
    assertThatThrownBy(() -> SafetensorsReader.read(p))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("malformed safetensors header");
  }

  @Test
  void truncatedData() throws IOException {
    // claims 1000 x 1000 floats (4 MB) but holds 8 bytes: the reader must not trust the header
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000,1000],\"data_offsets\":[0,4000000]}}";
    Path p = file(header, littleEndian(1f, 2f), null);
    assertThatThrownBy(() -> SafetensorsReader.read(p))
        .isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("tensor 'w'").hasMessageContaining("outside the data section");
  }

  @Test
  void offsetsThatDisagreeWithTheShape() throws IOException {
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
    Path p = file(header, littleEndian(1f, 2f), null);
    assertThatThrownBy(() -> SafetensorsReader.read(p))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("needs 3 elements");
  }

  @Test
  void entryWithoutOffsets() throws IOException {
    Path p = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", littleEndian(1f), null);
    assertThatThrownBy(() -> SafetensorsReader.read(p))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("tensor 'w'");
  }

  @Test
  void wronglyTypedHeaderFieldsAreFormatErrors() throws IOException {
    String[] headers = {
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}",
        "{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}",
        "{\"w\":[1]}"};
    for (String header : headers) {
      Path p = file(header, littleEndian(1f), null);
      assertThatThrownBy(() -> SafetensorsReader.read(p)).as(header)
          .isInstanceOf(WeightFormatException.class).hasMessageContaining("tensor 'w': malformed header entry");
    }
  }

  @Test
  void repeatedNamesAndTrailingTextAreMalformed() throws IOException {
    String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    for (String header : new String[] {"{\"w\":" + entry + ",\"w\":" + entry + "}", "{\"w\":" + entry + "} x",
        "[1, 2]"}) {
      Path p = file(header, littleEndian(1f), null);
      assertThatThrownBy(() -> SafetensorsReader.read(p)).as(header)
          .isInstanceOf(WeightFormatException.class).hasMessageContaining("safetensors header");
    }
    // spaces after the object are the format's alignment padding
    assertThat(SafetensorsReader.read(file("{\"w\":" + entry + "}    ", littleEndian(7f), null)).get("w").values())
        .containsExactly(7f);
  }

  @Test
  void npyRoundTrip() throws IOException {
    Path p = dir.resolve("a.npy");
    NpyFile.write(p, new RawTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
    RawTensor back = NpyFile.read(p);
    assertThat(back.shape()).containsExactly(2, 3);
    assertThat(back.values()).containsExactly(1, 2, 3, 4, 5, 6);
    RawTensor fixture = NpyFile.read(SharedFiles.root().resolve("fixtures/reference/pit_ti_224.logits.npy"));
    assertThat(fixture.shape()).containsExactly(2, 1000);
  }

  @Test
  void tensorsSharingOneRegionAreRefused() throws IOException {
    // 200 entries pointing at the same 4 KB: each would be copied, multiplying the file
    StringBuilder header = new StringBuilder("{");
    for (int i = 0; i < 200; i++) {
      header.append(i > 0 ? "," : "").append("\"t").append(i)
          .append("\":{\"dtype\":\"F32\",\"shape\":[1024],\"data_offsets\":[0,4096]}");
    }
    Path p = file(header.append("}").toString(), new byte[4096], null);
    assertThatThrownBy(() -> SafetensorsReader.read(p)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("overlap in the data section");
    // partly overlapping spans too
    String partly = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    assertThatThrownBy(() -> SafetensorsReader.read(file(partly, new byte[12], null)))
        .hasMessageContaining("tensors 'a' [0, 8) and 'b' [4, 12) overlap");
  }

  @Test
  void spansPastTwoGibibytesAreReadOrRefusedClearly() throws IOException {
    long far = (1L << 31) + 64;
    String header = "{\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + far + "," + (far + 8) + "]},"
        + "\"huge\":{\"dtype\":\"U8\",\"shape\":[2147483700],\"data_offsets\":[0,2147483700]}}";
    Path p = file(header, new byte[0], null);
    long dataStart = Files.size(p);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(dataStart + far + 8); // sparse: nothing is written in between
      f.seek(dataStart + far);
      f.write(littleEndian(1.5f, -2f));
    }
    assertThatThrownBy(() -> SafetensorsReader.read(p)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("tensor 'huge'").hasMessageContaining("more than one Java array holds");
    String farOnly = "{\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + far + "," + (far + 8) + "]}}";
    Path q = file(farOnly, new byte[0], null);
    dataStart = Files.size(q);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(q.toFile(), "rw")) {
      f.setLength(dataStart + far + 8);
      f.seek(dataStart + far);
      f.write(littleEndian(1.5f, -2f));
    }
    assertThat(SafetensorsReader.read(q).get("far").values()).containsExactly(1.5f, -2f);
  }

  @Test
  void shapesOfMoreThan32DimensionsAndLongNamesAreShortErrors() throws IOException {
    // a review's 10 MB file of shape [1] * 5,000,000 made a 15-million-character import error; here 100,000
    String ones = String.join(",", java.util.Collections.nCopies(100_000, "1"));
    Path many = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[" + ones + "],\"data_offsets\":[0,4]}}",
        littleEndian(1f), null);
    assertThatThrownBy(() -> SafetensorsReader.read(many)).isInstanceOf(WeightFormatException.class)
        .hasMessage(many + ": tensor 'x': its shape has 100000 dimensions, more than 32");
    String thirtyThree = String.join(",", java.util.Collections.nCopies(33, "1"));
    Path rank33 = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[" + thirtyThree + "],\"data_offsets\":[0,4]}}",
        littleEndian(1f), null);
    assertThatThrownBy(() -> SafetensorsReader.read(rank33)).hasMessageContaining("33 dimensions, more than 32");
    String thirtyTwo = String.join(",", java.util.Collections.nCopies(32, "1"));
    Path rank32 = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[" + thirtyTwo + "],\"data_offsets\":[0,4]}}",
        littleEndian(1f), null);
    assertThat(SafetensorsReader.read(rank32).get("x").rank()).isEqualTo(32);
    // a malformed entry of a long name and a long shape: both abbreviated
    String name = "n".repeat(40_000); // Jackson refuses names over 50,000 characters
    Path longName = file("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + thirtyTwo + "]}}",
        littleEndian(1f), null);
    assertThatThrownBy(() -> SafetensorsReader.read(longName)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("tensor '" + "n".repeat(200) + "... (40000 characters)': malformed header entry")
        .message().hasSizeLessThan(600);
  }

  @Test
  void theTotalSizeAndTensorCountAreBounded() throws IOException {
    String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[16,24]}}";
    Path p = file(header, new byte[24], null);
    assertThat(SafetensorsReader.read(p).size()).isEqualTo(2);
    // b's 4 halves become 16 bytes of float32: 32 in all
    assertThatThrownBy(() -> SafetensorsReader.read(p, new CheckpointLimits(31, 10, 1, 1, 1, 1, 1)))
        .hasMessageContaining("more than 31 bytes as float32").hasMessageContaining("-Dstmzoo.limit.tensor-bytes=N");
    assertThatThrownBy(() -> SafetensorsReader.read(p, new CheckpointLimits(1000, 1, 1, 1, 1, 1, 1)))
        .hasMessageContaining("more than 1 tensors");
  }
}
