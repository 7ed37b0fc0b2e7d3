package io.attune.adaptation.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a NumPy {@code .npy} file (format 1.0, 2.0 or 3.0) row by row, rows being slices along
 * the first axis. Supported dtypes: {@code |u1 |i1 <i2 <i4 <i8 <f4 <f8} and their big-endian
 * {@code >} forms. Only C order is supported; {@code fortran_order: True} is refused unless the
 * rank is 0 or 1, where both orders lay out the same bytes.
 *
 * <pre>{@code
 * try (NpyReader features = NpyReader.open(memory.resolve("features.npy"))) {
 *   float[] rows = features.readFloats(256);   // up to 256 x 128 floats
 * }
 * FloatData all = ArrayReader.loadFloats(memory.resolve("features.npy"));
 * }</pre>
 */
public final class NpyReader extends ArrayReader {

  private final NpyHeader header;

  private NpyReader(final Source source, final NpyHeader header) throws IOException {
    super(source, header.dtype(), header.order(), header.shape(), header.dataOffset());
    this.header = header;
  }

  /**
   * Opens {@code file} and reads its header; no data is read yet. A gzipped {@code .npy} is
   * read too, although NumPy does not write one.
   *
   * @throws MalformedDataException on bad magic, an unknown version or dtype, Fortran order, a
   *     truncated or unparsable header, a negative or absurd dimension, or (plain files) a size
   *     that differs from the promise
   */
  public static NpyReader open(final Path file) throws IOException {
    return openWith(file, NpyReader::read);
  }

  /** Version, dtype, byte order, shape and data offset as the file declares them. */
  public NpyHeader header() {
    return header;
  }

  static NpyReader read(final Source source) throws IOException {
    return new NpyReader(source, NpyHeaderParser.read(source));
  }
}
