package io.attune.adaptation.data;

import java.nio.file.Path;
import java.util.List;

/** Turns the {@code descr} and {@code shape} values of an NPY header dict into our types. */
final class NpyTypes {

  private static final String KNOWN = "|u1, |i1, <i2, <i4, <i8, <f4 and <f8 (or '>' for"
      + " big-endian)";

  private NpyTypes() {}

  /**
   * The element type of a NumPy type string such as {@code <f4} or {@code |u1}.
   *
   * @throws MalformedDataException for anything else, listing what is supported
   */
  static DType dtype(final Path file, final String descr) throws MalformedDataException {
    final DType dtype = descr.length() != 3 ? null : switch (descr.substring(1)) {
      case "u1" -> DType.UINT8;
      case "i1" -> DType.INT8;
      case "i2" -> DType.INT16;
      case "i4" -> DType.INT32;
      case "i8" -> DType.INT64;
      case "f4" -> DType.FLOAT32;
      case "f8" -> DType.FLOAT64;
      default -> null;
    };
    final char order = descr.isEmpty() ? '?' : descr.charAt(0);
    final boolean orderKnown = order == '<' || order == '>' || order == '|' && dtype != null
        && dtype.bytes() == 1;
    if (dtype == null || !orderKnown) {
      throw new MalformedDataException(file, "unsupported dtype '" + descr
          + "'; this reader knows " + KNOWN);
    }
    return dtype;
  }

  /**
   * The shape of a header's tuple of decimal dimensions.
   *
   * @throws MalformedDataException if a dimension is negative, beyond an int, or the element
   *     count overflows
   */
  static Shape shape(final Path file, final List<?> digits) throws MalformedDataException {
    final int[] dims = new int[digits.size()];
    for (int axis = 0; axis < dims.length; axis++) {
      final String text = String.valueOf(digits.get(axis));
      final long dim = parse(text);
      if (dim < 0 || dim > Integer.MAX_VALUE) {
        throw new MalformedDataException(file, "negative or absurd dimension: dimension " + axis
            + " is " + text + ", must be 0.." + Integer.MAX_VALUE);
      }
      dims[axis] = (int) dim;
    }
    try {
      return Shape.of(dims);
    } catch (IllegalArgumentException overflow) {
      throw new MalformedDataException(file, "absurd shape: " + overflow.getMessage(), overflow);
    }
  }

  /** The value, or -1 when it overflows a long (and so is absurd either way). */
  private static long parse(final String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException overflow) {
      return -1;
    }
  }
}
