package io.attune.adaptation.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A whole array of 8-bit elements in memory, such as Fashion-MNIST images or labels.
 *
 * <p>The array is held, not copied, because these are tens of megabytes read once; callers that
 * share a {@code ByteData} must treat {@link #data()} as read-only.
 *
 * @param dtype {@link DType#UINT8} or {@link DType#INT8}: how to read each byte
 * @param shape the dimensions; {@code data.length == shape.count()}
 * @param data the elements in C order
 */
public record ByteData(DType dtype, Shape shape, byte[] data) {

  /** @throws IllegalArgumentException if the type is not 8-bit or the length disagrees */
  public ByteData {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    if (dtype.bytes() != 1) {
      throw new IllegalArgumentException("ByteData holds uint8 or int8, not " + dtype.label());
    }
    if (data.length != shape.count()) {
      throw new IllegalArgumentException("shape " + shape + " needs " + shape.count()
          + " elements, data has " + data.length);
    }
  }

  /** Element {@code index} as a number: 0..255 for uint8, -128..127 for int8. */
  public int valueAt(final int index) {
    return dtype == DType.UINT8 ? Byte.toUnsignedInt(data[index]) : data[index];
  }

  /** Number of items along the first axis. */
  public int items() {
    return (int) shape.items();
  }

  /** A copy of item {@code index} (one image, one label). */
  public byte[] item(final int index) {
    final int size = (int) shape.itemElements();
    return Arrays.copyOfRange(data, index * size, index * size + size);
  }

  @Override
  public boolean equals(final Object other) {
    return other instanceof ByteData that && dtype == that.dtype && shape.equals(that.shape)
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, shape, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "ByteData[" + dtype.label() + ", " + shape + "]";
  }
}
