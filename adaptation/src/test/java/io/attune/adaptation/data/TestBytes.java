package io.attune.adaptation.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Builds file contents byte by byte, independently of the writers under test, so that readers
 * are not only checked against their own writers.
 */
final class TestBytes {

  private TestBytes() {}

  /** An IDX file: 0x00 0x00, type byte, rank byte, big-endian int32 dims, then {@code data}. */
  static byte[] idx(final int typeCode, final int[] dims, final byte[] data) {
    final ByteBuffer out = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    out.put((byte) 0).put((byte) 0).put((byte) typeCode).put((byte) dims.length);
    for (final int dim : dims) {
      out.putInt(dim);
    }
    return out.put(data).array();
  }

  /**
   * An NPY file whose header is {@code dict} padded with spaces and a newline so the data starts
   * at a multiple of 64, as NumPy does.
   */
  static byte[] npy(final int major, final String dict, final byte[] data) {
    final int preamble = major == 1 ? 10 : 12;
    final int used = preamble + dict.length() + 1;
    final int padding = (64 - used % 64) % 64;
    return npyRaw(major, dict + " ".repeat(padding) + "\n", data);
  }

  /** An NPY file with exactly {@code header} (no padding added) after the preamble. */
  static byte[] npyRaw(final int major, final String header, final byte[] data) {
    final byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8
        : StandardCharsets.ISO_8859_1);
    final ByteBuffer out = ByteBuffer.allocate((major == 1 ? 10 : 12) + text.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
    out.put((byte) major).put((byte) 0);
    if (major == 1) {
      out.putShort((short) text.length);
    } else {
      out.putInt(text.length);
    }
    return out.put(text).put(data).array();
  }

  static byte[] gzip(final byte[] plain) {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(plain);
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return bytes.toByteArray();
  }

  static byte[] floats(final ByteOrder order, final float... values) {
    final ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(order);
    for (final float value : values) {
      out.putFloat(value);
    }
    return out.array();
  }

  static byte[] doubles(final ByteOrder order, final double... values) {
    final ByteBuffer out = ByteBuffer.allocate(8 * values.length).order(order);
    for (final double value : values) {
      out.putDouble(value);
    }
    return out.array();
  }

  static byte[] ints(final ByteOrder order, final int... values) {
    final ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(order);
    for (final int value : values) {
      out.putInt(value);
    }
    return out.array();
  }

  static byte[] shorts(final ByteOrder order, final short... values) {
    final ByteBuffer out = ByteBuffer.allocate(2 * values.length).order(order);
    for (final short value : values) {
      out.putShort(value);
    }
    return out.array();
  }

  static byte[] longs(final ByteOrder order, final long... values) {
    final ByteBuffer out = ByteBuffer.allocate(8 * values.length).order(order);
    for (final long value : values) {
      out.putLong(value);
    }
    return out.array();
  }

  /** {@code count} bytes 0, 1, 2, ... wrapping at 256, a pattern that shows misplaced bytes. */
  static byte[] ramp(final int count) {
    final byte[] out = new byte[count];
    for (int i = 0; i < count; i++) {
      out[i] = (byte) i;
    }
    return out;
  }
}
