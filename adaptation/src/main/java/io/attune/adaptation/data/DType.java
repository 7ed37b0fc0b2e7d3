package io.attune.adaptation.data;

import java.util.Locale;

/**
 * Element types the readers and writers understand, independent of the file format. Each IDX
 * type byte and each supported NumPy {@code descr} maps onto one of these; the byte order is kept
 * separately because it belongs to the file, not the type.
 */
public enum DType {
  /** Unsigned 8-bit integer: IDX 0x08, NumPy {@code |u1}. */
  UINT8(1, true),
  /** Signed 8-bit integer: IDX 0x09, NumPy {@code |i1}. */
  INT8(1, true),
  /** Signed 16-bit integer: IDX 0x0B, NumPy {@code <i2}. */
  INT16(2, true),
  /** Signed 32-bit integer: IDX 0x0C, NumPy {@code <i4}. */
  INT32(4, true),
  /** Signed 64-bit integer: NumPy {@code <i8}; IDX has no such type. */
  INT64(8, true),
  /** IEEE 754 single precision: IDX 0x0D, NumPy {@code <f4}. */
  FLOAT32(4, false),
  /** IEEE 754 double precision: IDX 0x0E, NumPy {@code <f8}. */
  FLOAT64(8, false);

  private final int bytes;
  private final boolean integer;

  DType(final int bytes, final boolean integer) {
    this.bytes = bytes;
    this.integer = integer;
  }

  /** Bytes one element occupies in a file. */
  public int bytes() {
    return bytes;
  }

  /** True for the integer types, which can be read as {@code long} without loss. */
  public boolean isInteger() {
    return integer;
  }

  /** The NumPy-style name used in messages, e.g. {@code uint8}, {@code float32}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
