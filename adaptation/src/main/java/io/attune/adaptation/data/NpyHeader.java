package io.attune.adaptation.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The header of a NumPy {@code .npy} file: magic {@code \x93NUMPY}, major and minor version,
 * header length (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then a Python dict literal
 * such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2000, 128), }} padded with
 * spaces and ending in a newline. Version 3.0 differs from 2.0 only in encoding the dict as UTF-8
 * instead of Latin-1.
 *
 * @param majorVersion 1, 2 or 3
 * @param minorVersion 0
 * @param dtype the element type
 * @param order the data's byte order; irrelevant (and written as {@code |}) for 8-bit types
 * @param shape the dimensions, C order
 * @param dataOffset bytes before the data: preamble plus header length
 */
public record NpyHeader(int majorVersion, int minorVersion, DType dtype, ByteOrder order,
    Shape shape, long dataOffset) {

  /** Length of {@code \x93NUMPY}. */
  static final int MAGIC_LENGTH = 6;
  /** NumPy aligns the data to this many bytes so it can be memory-mapped. */
  static final int ALIGNMENT = 64;
  /** NumPy leaves room for the first dimension to grow to this many digits when appending. */
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;
  private static final int V1_MAX_HEADER = 0xFFFF;

  /** @throws IllegalArgumentException on an unknown version */
  public NpyHeader {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(shape, "shape");
    if (majorVersion < 1 || majorVersion > 3 || minorVersion != 0) {
      throw new IllegalArgumentException(
          "NPY versions are 1.0, 2.0 and 3.0, not " + majorVersion + "." + minorVersion);
    }
  }

  /**
   * The header NumPy's {@code np.save} would write for a C-order array: version 1.0 unless the
   * dict needs more than 65535 bytes, data aligned to 64 bytes.
   */
  public static NpyHeader of(final DType dtype, final ByteOrder order, final Shape shape) {
    final int dictBytes = dictText(dtype, order, shape).length();
    final int major = alignedOffset(1, dictBytes) - preambleBytes(1) <= V1_MAX_HEADER ? 1 : 2;
    return new NpyHeader(major, 0, dtype, order, shape, alignedOffset(major, dictBytes));
  }

  /** Like NumPy, pads with 1 to 64 spaces: a full 64 when the dict and newline already align. */
  private static int alignedOffset(final int majorVersion, final int dictBytes) {
    final int used = preambleBytes(majorVersion) + dictBytes + 1;
    return used + ALIGNMENT - used % ALIGNMENT;
  }

  /** The NumPy type string, e.g. {@code <f4}, {@code |u1}, {@code <i8}. */
  public String descr() {
    final String code = switch (dtype) {
      case UINT8 -> "u1";
      case INT8 -> "i1";
      case INT16 -> "i2";
      case INT32 -> "i4";
      case INT64 -> "i8";
      case FLOAT32 -> "f4";
      case FLOAT64 -> "f8";
    };
    final char prefix = dtype.bytes() == 1 ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
    return prefix + code;
  }

  /**
   * The header as it appears at the start of the file, the dict padded with spaces and a newline
   * up to {@link #dataOffset()}.
   *
   * @throws IllegalStateException if the dict does not fit before {@link #dataOffset()}
   */
  public byte[] toBytes() {
    final byte[] dict = dictText(dtype, order, shape).getBytes(charset(majorVersion));
    final int preamble = preambleBytes(majorVersion);
    final long padding = dataOffset - preamble - dict.length - 1;
    if (padding < 0 || dataOffset > Integer.MAX_VALUE) {
      throw new IllegalStateException("a dict of " + dict.length + " bytes does not fit a header"
          + " ending at byte " + dataOffset);
    }
    final ByteBuffer bytes = ByteBuffer.allocate((int) dataOffset).order(ByteOrder.LITTLE_ENDIAN);
    bytes.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
    bytes.put((byte) majorVersion).put((byte) minorVersion);
    final int headerLength = (int) dataOffset - preamble;
    if (majorVersion == 1) {
      bytes.putShort((short) headerLength);
    } else {
      bytes.putInt(headerLength);
    }
    bytes.put(dict).put(" ".repeat((int) padding).getBytes(StandardCharsets.US_ASCII));
    return bytes.put((byte) '\n').array();
  }

  /** True if {@code head} starts with {@code \x93NUMPY}. */
  static boolean hasMagic(final byte[] head) {
    return head.length >= MAGIC_LENGTH && (head[0] & 0xff) == 0x93
        && "NUMPY".equals(new String(head, 1, MAGIC_LENGTH - 1, StandardCharsets.US_ASCII));
  }

  /** Magic, version and header length: 10 bytes in 1.0, 12 in 2.0 and 3.0. */
  static int preambleBytes(final int majorVersion) {
    return MAGIC_LENGTH + 2 + (majorVersion == 1 ? 2 : 4);
  }

  /** Latin-1 up to 2.0, UTF-8 from 3.0. */
  static Charset charset(final int majorVersion) {
    return majorVersion >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
  }

  /** The dict exactly as NumPy writes it: sorted keys, trailing comma, room for growth. */
  private static String dictText(final DType dtype, final ByteOrder order, final Shape shape) {
    final String descr = new NpyHeader(1, 0, dtype, order, shape, 0).descr();
    final String firstDim = shape.rank() == 0 ? "" : Integer.toString(shape.dim(0));
    final String growth =
        shape.rank() == 0 ? "" : " ".repeat(GROWTH_AXIS_MAX_DIGITS - firstDim.length());
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + pythonTuple(shape)
        + ", }" + growth;
  }

  private static String pythonTuple(final Shape shape) {
    if (shape.rank() == 1) {
      return "(" + shape.dim(0) + ",)";
    }
    final StringBuilder tuple = new StringBuilder("(");
    for (int axis = 0; axis < shape.rank(); axis++) {
      tuple.append(axis == 0 ? "" : ", ").append(shape.dim(axis));
    }
    return tuple.append(')').toString();
  }
}
