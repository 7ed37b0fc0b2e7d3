package io.attune.adaptation.data;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes a C-order, little-endian NumPy {@code .npy} file with the header {@code np.save} would
 * write: format 1.0 (2.0 only if the dict outgrows 65535 bytes), keys sorted, room for the first
 * dimension to grow, data starting at a multiple of 64 bytes. Any {@link DType} is supported;
 * uint8 and int8 from bytes, the other integers from longs, float32 and float64 from floats.
 * Output is never gzipped, since {@code np.load} would not read it.
 */
public final class NpyWriter extends ArrayWriter {

  private NpyWriter(final Path file, final NpyHeader header) throws IOException {
    super(file, header.dtype(), header.order(), header.shape(), header.toBytes(),
        Compression.NONE);
  }

  /** Starts {@code file} with the header for {@code dtype} and {@code shape}. */
  public static NpyWriter create(final Path file, final DType dtype, final Shape shape)
      throws IOException {
    return new NpyWriter(file, NpyHeader.of(dtype, ByteOrder.LITTLE_ENDIAN, shape));
  }

  /** Writes {@code data} as a whole {@code |u1} or {@code |i1} file. */
  public static void write(final Path file, final ByteData data) throws IOException {
    try (NpyWriter out = create(file, data.dtype(), data.shape())) {
      out.write(data.data(), 0, data.data().length);
    }
  }

  /** Writes {@code data} as a whole {@code <f4} file. */
  public static void write(final Path file, final FloatData data) throws IOException {
    try (NpyWriter out = create(file, DType.FLOAT32, data.shape())) {
      out.write(data.data(), 0, data.data().length);
    }
  }

  /** Writes {@code data} as a whole {@code <i8} file. */
  public static void write(final Path file, final LongData data) throws IOException {
    try (NpyWriter out = create(file, DType.INT64, data.shape())) {
      out.write(data.data(), 0, data.data().length);
    }
  }
}
