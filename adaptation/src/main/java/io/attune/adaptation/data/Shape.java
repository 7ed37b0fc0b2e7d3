package io.attune.adaptation.data;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The dimensions of an array in C order (last axis fastest). The first axis counts items: an
 * images file of shape {@code 10000 x 28 x 28} holds 10000 items of 784 elements. A rank-0 shape
 * is a scalar, one item of one element.
 *
 * <p>Dimensions are {@code int} because every supported format stores them so (IDX) or because a
 * larger one could not be read into a Java array anyway (NPY); readers refuse bigger ones as
 * absurd before building a shape.
 *
 * @param dims the sizes, outermost first; copied in and out, so a shape never changes
 */
public record Shape(int... dims) {

  /**
   * @throws IllegalArgumentException if a dimension is negative or the element count overflows
   *     a {@code long}
   */
  public Shape {
    dims = dims.clone();
    long count = 1;
    for (int axis = 0; axis < dims.length; axis++) {
      if (dims[axis] < 0) {
        throw new IllegalArgumentException(
            "dimension " + axis + " of " + Arrays.toString(dims) + " is negative");
      }
      try {
        count = Math.multiplyExact(count, dims[axis]);
      } catch (ArithmeticException overflow) {
        throw new IllegalArgumentException(
            "the element count of " + Arrays.toString(dims) + " overflows a long", overflow);
      }
    }
  }

  /** A shape with the given dimensions, outermost first. */
  public static Shape of(final int... dims) {
    return new Shape(dims);
  }

  /** The rank-0 shape of a single value. */
  public static Shape scalar() {
    return new Shape();
  }

  /** A copy of the dimensions. */
  @Override
  public int[] dims() {
    return dims.clone();
  }

  /** Number of axes; 0 for a scalar. */
  public int rank() {
    return dims.length;
  }

  /** Size of one axis. */
  public int dim(final int axis) {
    return dims[axis];
  }

  /** Number of elements: the product of the dimensions, 1 for a scalar. */
  public long count() {
    long count = 1;
    for (final int dim : dims) {
      count *= dim;
    }
    return count;
  }

  /** Number of items along the first axis; 1 for a scalar. */
  public long items() {
    return dims.length == 0 ? 1 : dims[0];
  }

  /** Elements per item: the product of all but the first dimension; 1 for a scalar. */
  public long itemElements() {
    long count = 1;
    for (int axis = 1; axis < dims.length; axis++) {
      count *= dims[axis];
    }
    return count;
  }

  /** This shape with the first axis replaced, for a batch or the rest of a stream. */
  public Shape withItems(final int items) {
    if (dims.length == 0) {
      throw new IllegalStateException("a scalar has no first axis to resize");
    }
    final int[] resized = dims.clone();
    resized[0] = items;
    return new Shape(resized);
  }

  @Override
  public boolean equals(final Object other) {
    return other instanceof Shape shape && Arrays.equals(dims, shape.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code 10000 x 28 x 28}, or {@code scalar} for rank 0, as messages print it. */
  @Override
  public String toString() {
    if (dims.length == 0) {
      return "scalar";
    }
    final StringJoiner joined = new StringJoiner(" x ");
    for (final int dim : dims) {
      joined.add(Integer.toString(dim));
    }
    return joined.toString();
  }
}
