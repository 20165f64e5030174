package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/** Decodes little-endian element bytes of the numeric types weight files use into float32 values. */
enum ElementDecoder {
  F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1);

  private final int bytes;

  ElementDecoder(int bytes) {
    this.bytes = bytes;
  }

  int bytes() {
    return bytes;
  }

  /** The integer type's name as PyTorch says it ({@code int64}), or null for a floating-point type. */
  String integerName() {
    return switch (this) {
      case F64, F32, F16, BF16 -> null;
      case I64 -> "int64";
      case I32 -> "int32";
      case I16 -> "int16";
      case I8 -> "int8";
      case U8 -> "uint8";
    };
  }

  /** Bytes decoded at a time when reading from a channel (a multiple of every element size). */
  private static final int CHUNK_BYTES = 1 << 20;

  /** Reads {@code count} elements from {@code buffer}'s position on. */
  float[] decode(ByteBuffer buffer, int count) {
    float[] out = new float[count];
    decode(buffer, out, 0, count);
    return out;
  }

  /**
   * Fills {@code out} with elements read from {@code channel} a chunk at a time, so that a span of any size (past
   * 2 GiB for 8-byte types) needs no byte array of its size.
   */
  void read(ReadableByteChannel channel, float[] out, String what) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) out.length * bytes));
    int done = 0;
    while (done < out.length) {
      int n = Math.min(out.length - done, chunk.capacity() / bytes);
      chunk.clear().limit(n * bytes);
      while (chunk.hasRemaining()) {
        if (channel.read(chunk) < 0) {
          throw new WeightFormatException(what + " ends after " + ((long) done * bytes + chunk.position())
              + " of " + (long) out.length * bytes + " bytes (truncated)");
        }
      }
      decode(chunk.flip(), out, done, n);
      done += n;
    }
  }

  /** Decodes {@code count} elements from {@code buffer}'s position on into {@code out} from {@code from}. */
  void decode(ByteBuffer buffer, float[] out, int from, int count) {
    ByteBuffer b = buffer.order(ByteOrder.LITTLE_ENDIAN);
    int end = from + count;
    switch (this) {
      case F32 -> b.asFloatBuffer().get(out, from, count);
      case F64 -> {
        for (int i = from; i < end; i++) {
          out[i] = (float) b.getDouble();
        }
      }
      case F16 -> {
        for (int i = from; i < end; i++) {
          out[i] = halfToFloat(b.getShort());
        }
      }
      case BF16 -> {
        // bfloat16 is the upper half of a float32
        for (int i = from; i < end; i++) {
          out[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
        }
      }
      case I64 -> {
        for (int i = from; i < end; i++) {
          out[i] = b.getLong();
        }
      }
      case I32 -> {
        for (int i = from; i < end; i++) {
          out[i] = b.getInt();
        }
      }
      case I16 -> {
        for (int i = from; i < end; i++) {
          out[i] = b.getShort();
        }
      }
      case I8 -> {
        for (int i = from; i < end; i++) {
          out[i] = b.get();
        }
      }
      case U8 -> {
        for (int i = from; i < end; i++) {
          out[i] = b.get() & 0xFF;
        }
      }
      default -> throw new IllegalStateException(name());
    }
  }

  /** IEEE 754 binary16 to float32 (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h >>> 15) << 31;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      // zero or subnormal: mantissa * 2^-24
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
