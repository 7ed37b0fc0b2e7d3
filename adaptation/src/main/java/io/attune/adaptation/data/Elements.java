package io.attune.adaptation.data;

import java.nio.ByteBuffer;

/** Conversions between file bytes (in the buffer's byte order) and Java arrays. */
final class Elements {

  private Elements() {}

  /** Decodes {@code count} elements of {@code type} from {@code src} into {@code dst}. */
  static void toFloats(final DType type, final ByteBuffer src, final float[] dst,
      final int offset, final int count) {
    switch (type) {
      case FLOAT32 -> src.asFloatBuffer().get(dst, offset, count);
      case UINT8 -> {
        for (int i = 0; i < count; i++) {
          dst[offset + i] = Byte.toUnsignedInt(src.get(i));
        }
      }
      default -> {
        for (int i = 0; i < count; i++) {
          dst[offset + i] = (float) numberAt(type, src, i);
        }
      }
    }
  }

  /** Decodes {@code count} elements of integer {@code type} from {@code src} into {@code dst}. */
  static void toLongs(final DType type, final ByteBuffer src, final long[] dst,
      final int offset, final int count) {
    for (int i = 0; i < count; i++) {
      dst[offset + i] = integerAt(type, src, i);
    }
  }

  /** Encodes {@code count} floats as {@code type} (a float type) into {@code dst}. */
  static void fromFloats(final DType type, final float[] src, final int offset, final int count,
      final ByteBuffer dst) {
    for (int i = 0; i < count; i++) {
      if (type == DType.FLOAT32) {
        dst.putFloat(src[offset + i]);
      } else {
        dst.putDouble(src[offset + i]);
      }
    }
  }

  /**
   * Encodes {@code count} longs as {@code type} (an integer type) into {@code dst}.
   *
   * @throws IllegalArgumentException naming the index and value if one does not fit the type
   */
  static void fromLongs(final DType type, final long[] src, final int offset, final int count,
      final ByteBuffer dst) {
    for (int i = 0; i < count; i++) {
      final long value = src[offset + i];
      checkRange(type, value, offset + i);
      switch (type) {
        case UINT8, INT8 -> dst.put((byte) value);
        case INT16 -> dst.putShort((short) value);
        case INT32 -> dst.putInt((int) value);
        default -> dst.putLong(value);
      }
    }
  }

  private static double numberAt(final DType type, final ByteBuffer src, final int index) {
    return switch (type) {
      case FLOAT32 -> src.getFloat(index * 4);
      case FLOAT64 -> src.getDouble(index * 8);
      default -> integerAt(type, src, index);
    };
  }

  private static long integerAt(final DType type, final ByteBuffer src, final int index) {
    return switch (type) {
      case UINT8 -> Byte.toUnsignedInt(src.get(index));
      case INT8 -> src.get(index);
      case INT16 -> src.getShort(index * 2);
      case INT32 -> src.getInt(index * 4);
      case INT64 -> src.getLong(index * 8);
      default -> throw new IllegalArgumentException(type.label() + " is not an integer type");
    };
  }

  private static void checkRange(final DType type, final long value, final int index) {
    final long min;
    final long max;
    switch (type) {
      case UINT8 -> { min = 0; max = 255; }
      case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
      case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
      case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
      default -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; }
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException("value " + value + " at index " + index
          + " does not fit " + type.label() + " (" + min + ".." + max + ")");
    }
  }
}
