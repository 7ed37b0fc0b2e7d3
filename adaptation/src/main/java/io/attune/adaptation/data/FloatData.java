package io.attune.adaptation.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A whole array in memory as {@code float}, such as source-memory features. Values are converted
 * from the file's type without scaling: uint8 pixels arrive as 0..255.
 *
 * <p>The array is held, not copied, because feature banks are read once and can be large;
 * callers that share a {@code FloatData} must treat {@link #data()} as read-only.
 *
 * @param shape the dimensions; {@code data.length == shape.count()}
 * @param data the elements in C order
 */
public record FloatData(Shape shape, float[] data) {

  /** @throws IllegalArgumentException if the length disagrees with the shape */
  public FloatData {
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

  /** A copy of item {@code index} (one row of features, one image). */
  public float[] item(final int index) {
    final int size = (int) shape.itemElements();
    return Arrays.copyOfRange(data, index * size, index * size + size);
  }

  @Override
  public boolean equals(final Object other) {
    return other instanceof FloatData that && shape.equals(that.shape)
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatData[" + shape + "]";
  }
}
