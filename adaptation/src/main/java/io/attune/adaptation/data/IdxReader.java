package io.attune.adaptation.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads an IDX file (MNIST, Fashion-MNIST), plain or gzipped, item by item. Gzip is detected by
 * its magic bytes 0x1f 0x8b, not by the file name.
 *
 * <pre>{@code
 * try (IdxReader images = IdxReader.open(root.resolve("t10k-images-idx3-ubyte.gz"))) {
 *   while (images.hasNext()) {
 *     byte[] batch = images.readBytes(256);   // up to 256 x 784 pixels
 *   }
 * }
 * }</pre>
 */
public final class IdxReader extends ArrayReader {

  private static final int PREAMBLE_BYTES = 4;

  private final IdxHeader header;

  private IdxReader(final Source source, final IdxHeader header) throws IOException {
    super(source, header.dtype(), ByteOrder.BIG_ENDIAN, header.shape(), header.headerBytes());
    this.header = header;
  }

  /**
   * Opens {@code file} and reads its header; no data is read yet.
   *
   * @throws MalformedDataException on bad magic, an unknown type byte, a truncated header, a
   *     negative or absurd dimension, or (plain files) a size that differs from the promise
   */
  public static IdxReader open(final Path file) throws IOException {
    return openWith(file, IdxReader::read);
  }

  /** The type and dimensions the file declares. */
  public IdxHeader header() {
    return header;
  }

  static IdxReader read(final Source source) throws IOException {
    return new IdxReader(source, parseHeader(source));
  }

  private static IdxHeader parseHeader(final Source source) throws IOException {
    final Path file = source.file();
    final byte[] preamble = new byte[PREAMBLE_BYTES];
    final int got = source.readFully(preamble, 0, PREAMBLE_BYTES);
    if (got < PREAMBLE_BYTES) {
      throw new MalformedDataException(file, "truncated header: IDX starts with "
          + PREAMBLE_BYTES + " bytes (magic, type, rank), file has " + got);
    }
    if (preamble[0] != 0 || preamble[1] != 0) {
      throw new MalformedDataException(file,
          "bad magic: IDX starts with 0x00 0x00, found " + hex(preamble));
    }
    final int typeCode = Byte.toUnsignedInt(preamble[2]);
    final DType dtype = IdxHeader.dtypeFor(typeCode).orElseThrow(() ->
        new MalformedDataException(file, String.format("unknown element type byte 0x%02x; IDX"
            + " defines 0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32)"
            + " and 0x0e (float64)", typeCode)));
    return new IdxHeader(dtype, readShape(source, Byte.toUnsignedInt(preamble[3])));
  }

  private static Shape readShape(final Source source, final int rank) throws IOException {
    final Path file = source.file();
    final byte[] sizes = new byte[4 * rank];
    final int got = source.readFully(sizes, 0, sizes.length);
    if (got < sizes.length) {
      throw new MalformedDataException(file, "truncated header: rank " + rank + " needs "
          + (PREAMBLE_BYTES + sizes.length) + " header bytes, file has "
          + (PREAMBLE_BYTES + got));
    }
    final ByteBuffer big = ByteBuffer.wrap(sizes).order(ByteOrder.BIG_ENDIAN);
    final int[] dims = new int[rank];
    for (int axis = 0; axis < rank; axis++) {
      dims[axis] = big.getInt();
      if (dims[axis] < 0) {
        throw new MalformedDataException(file, String.format("negative or absurd dimension:"
            + " dimension %d is 0x%08x (%d as signed int32, %d unsigned)", axis, dims[axis],
            dims[axis], Integer.toUnsignedLong(dims[axis])));
      }
    }
    try {
      return Shape.of(dims);
    } catch (IllegalArgumentException overflow) {
      throw new MalformedDataException(file, "absurd shape: " + overflow.getMessage(), overflow);
    }
  }
}
