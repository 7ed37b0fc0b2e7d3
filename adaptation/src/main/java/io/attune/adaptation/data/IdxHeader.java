package io.attune.adaptation.data;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * The header of an IDX file: two zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16,
 * 0x0C int32, 0x0D float32, 0x0E float64), a rank byte, then one big-endian int32 per dimension.
 * The data follows in C order, big-endian.
 *
 * @param dtype the element type; every {@link DType} but {@link DType#INT64}, which IDX lacks
 * @param shape the dimensions; rank at most 255
 */
public record IdxHeader(DType dtype, Shape shape) {

  /** The largest rank the one-byte rank field can state. */
  public static final int MAX_RANK = 255;

  /** @throws IllegalArgumentException if IDX cannot express the type or the rank */
  public IdxHeader {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    if (dtype == DType.INT64) {
      throw new IllegalArgumentException("IDX has no type byte for int64");
    }
    if (shape.rank() > MAX_RANK) {
      throw new IllegalArgumentException(
          "IDX states the rank in one byte, so at most " + MAX_RANK + ", not " + shape.rank());
    }
  }

  /** The type byte IDX uses for {@link #dtype()}. */
  public int typeCode() {
    return switch (dtype) {
      case UINT8 -> 0x08;
      case INT8 -> 0x09;
      case INT16 -> 0x0B;
      case INT32 -> 0x0C;
      case FLOAT32 -> 0x0D;
      case FLOAT64 -> 0x0E;
      case INT64 -> throw new IllegalStateException("int64 has no IDX type byte");
    };
  }

  /** The element type for an IDX type byte, or empty if IDX defines none. */
  public static Optional<DType> dtypeFor(final int typeCode) {
    return switch (typeCode) {
      case 0x08 -> Optional.of(DType.UINT8);
      case 0x09 -> Optional.of(DType.INT8);
      case 0x0B -> Optional.of(DType.INT16);
      case 0x0C -> Optional.of(DType.INT32);
      case 0x0D -> Optional.of(DType.FLOAT32);
      case 0x0E -> Optional.of(DType.FLOAT64);
      default -> Optional.empty();
    };
  }

  /** Bytes before the data: 4 plus 4 per dimension (16 for MNIST images). */
  public int headerBytes() {
    return 4 + 4 * shape.rank();
  }

  /** The header as it appears at the start of the file. */
  public byte[] toBytes() {
    final ByteBuffer bytes = ByteBuffer.allocate(headerBytes());
    bytes.put((byte) 0).put((byte) 0).put((byte) typeCode()).put((byte) shape.rank());
    for (final int dim : shape.dims()) {
      bytes.putInt(dim);
    }
    return bytes.array();
  }
}
