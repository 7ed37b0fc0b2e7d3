package io.attune.adaptation.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A whole integer array in memory as {@code long}, such as labels or indices saved by NumPy as
 * int64 or int32. Every integer type widens to {@code long} without loss.
 *
 * <p>The array is held, not copied; callers that share a {@code LongData} must treat
 * {@link #data()} as read-only.
 *
 * @param shape the dimensions; {@code data.length == shape.count()}
 * @param data the elements in C order
 */
public record LongData(Shape shape, long[] data) {

  /** @throws IllegalArgumentException if the length disagrees with the shape */
  public LongData {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    if (data.length != shape.count()) {
      throw new IllegalArgumentException("shape " + shape + " needs " + shape.count()
          + " elements, data has " + data.length);
    }
  }

  /** Number of items along the first axis. */
  public int items() {
    return (int) shape.items();
  }

  @Override
  public boolean equals(final Object other) {
    return other instanceof LongData that && shape.equals(that.shape)
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "LongData[" + shape + "]";
  }
}
