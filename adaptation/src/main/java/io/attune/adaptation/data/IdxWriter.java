package io.attune.adaptation.data;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes an IDX file, plain or gzipped, that {@link IdxReader} and the MNIST tooling read back.
 * Every IDX type is supported: uint8 and int8 from bytes, int16 and int32 from longs, float32
 * and float64 from floats.
 *
 * <pre>{@code
 * try (IdxWriter out = IdxWriter.create(path, DType.UINT8, Shape.of(n, 28, 28), Compression.GZIP)) {
 *   out.write(pixels, 0, pixels.length);
 * }
 * }</pre>
 */
public final class IdxWriter extends ArrayWriter {

  private IdxWriter(final Path file, final IdxHeader header, final Compression compression)
      throws IOException {
    super(file, header.dtype(), ByteOrder.BIG_ENDIAN, header.shape(), header.toBytes(),
        compression);
  }

  /**
   * Starts {@code file} with the header for {@code dtype} and {@code shape}.
   *
   * @throws IllegalArgumentException for int64, which IDX cannot express, or rank over 255
   */
  public static IdxWriter create(final Path file, final DType dtype, final Shape shape,
      final Compression compression) throws IOException {
    return new IdxWriter(file, new IdxHeader(dtype, shape), compression);
  }

  /** Writes {@code data} as a whole uint8 or int8 IDX file. */
  public static void write(final Path file, final ByteData data, final Compression compression)
      throws IOException {
    try (IdxWriter out = create(file, data.dtype(), data.shape(), compression)) {
      out.write(data.data(), 0, data.data().length);
    }
  }

  /** Writes {@code data} as a whole float32 IDX file. */
  public static void write(final Path file, final FloatData data, final Compression compression)
      throws IOException {
    try (IdxWriter out = create(file, DType.FLOAT32, data.shape(), compression)) {
      out.write(data.data(), 0, data.data().length);
    }
  }
}
