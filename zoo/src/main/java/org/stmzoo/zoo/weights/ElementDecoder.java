package org.stmzoo.zoo.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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

  /** Reads {@code count} elements from {@code buffer}'s position on. */
  float[] decode(ByteBuffer buffer, int count) {
    ByteBuffer b = buffer.order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[count];
    switch (this) {
      case F32 -> b.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < count; i++) {
          out[i] = (float) b.getDouble();
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          out[i] = halfToFloat(b.getShort());
        }
      }
      case BF16 -> {
        // bfloat16 is the upper half of a float32
        for (int i = 0; i < count; i++) {
          out[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
        }
      }
      case I64 -> {
        for (int i = 0; i < count; i++) {
          out[i] = b.getLong();
        }
      }
      case I32 -> {
        for (int i = 0; i < count; i++) {
          out[i] = b.getInt();
        }
      }
      case I16 -> {
        for (int i = 0; i < count; i++) {
          out[i] = b.getShort();
        }
      }
      case I8 -> {
        for (int i = 0; i < count; i++) {
          out[i] = b.get();
        }
      }
      case U8 -> {
        for (int i = 0; i < count; i++) {
          out[i] = b.get() & 0xFF;
        }
      }
      default -> throw new IllegalStateException(name());
    }
    return out;
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
