package io.attune.adaptation.data;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Streams elements into an IDX or NPY file whose header, written first, promises a shape. The
 * bytes go to {@code <file>.part}, which {@link #close()} renames to the file only when exactly
 * the promised number of elements was written, so a crashed or short export never leaves a file
 * that a reader would take for complete.
 *
 * <p>Elements may arrive in any number of {@code write} calls of any length; they are laid out
 * in C order as they come. Not thread-safe.
 */
public abstract sealed class ArrayWriter implements Closeable permits IdxWriter, NpyWriter {

  private static final int CHUNK_BYTES = 1 << 16;

  private final Path file;
  private final Path partial;
  private final DType dtype;
  private final Shape shape;
  private final OutputStream out;
  private final ByteBuffer chunk;
  private long written;
  private boolean closed;

  ArrayWriter(final Path file, final DType dtype, final ByteOrder order, final Shape shape,
      final byte[] header, final Compression compression) throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.partial = file.resolveSibling(file.getFileName() + ".part");
    this.dtype = dtype;
    this.shape = shape;
    this.chunk = ByteBuffer.allocate(CHUNK_BYTES).order(order);
    this.out = openPartial(partial, compression, header);
  }

  /** The file that {@link #close()} will create. */
  public final Path file() {
    return file;
  }

  /** Element type the header declares. */
  public final DType dtype() {
    return dtype;
  }

  /** Shape the header promises. */
  public final Shape shape() {
    return shape;
  }

  /** Elements written so far. */
  public final long written() {
    return written;
  }

  /**
   * Appends {@code length} raw bytes to a uint8 or int8 array.
   *
   * @throws IllegalStateException if the type is wider, or this would pass the promised count
   */
  public final void write(final byte[] src, final int offset, final int length)
      throws IOException {
    requireType(dtype.bytes() == 1, "bytes");
    Objects.checkFromIndexSize(offset, length, src.length);
    reserve(length);
    out.write(src, offset, length);
    written += length;
  }

  /**
   * Appends {@code length} floats to a float32 or float64 array.
   *
   * @throws IllegalStateException if the type is an integer, or this would pass the count
   */
  public final void write(final float[] src, final int offset, final int length)
      throws IOException {
    requireType(!dtype.isInteger(), "floats");
    Objects.checkFromIndexSize(offset, length, src.length);
    reserve(length);
    final int perChunk = CHUNK_BYTES / dtype.bytes();
    for (int done = 0; done < length; ) {
      final int count = Math.min(perChunk, length - done);
      chunk.clear();
      Elements.fromFloats(dtype, src, offset + done, count, chunk);
      flushChunk(count);
      done += count;
    }
  }

  /**
   * Appends {@code length} integers to an integer array, checking that each fits the type.
   *
   * @throws IllegalArgumentException naming the index of a value the type cannot hold
   * @throws IllegalStateException if the type is a float, or this would pass the count
   */
  public final void write(final long[] src, final int offset, final int length)
      throws IOException {
    requireType(dtype.isInteger(), "longs");
    Objects.checkFromIndexSize(offset, length, src.length);
    reserve(length);
    final int perChunk = CHUNK_BYTES / dtype.bytes();
    for (int done = 0; done < length; ) {
      final int count = Math.min(perChunk, length - done);
      chunk.clear();
      Elements.fromLongs(dtype, src, offset + done, count, chunk);
      flushChunk(count);
      done += count;
    }
  }

  /**
   * Finishes the file: renames {@code <file>.part} to the file if every promised element was
   * written, deletes it otherwise.
   *
   * @throws IllegalStateException if fewer elements were written than the header promises
   */
  @Override
  public final void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException failure) {
      Files.deleteIfExists(partial);
      throw failure;
    }
    if (written != shape.count()) {
      Files.deleteIfExists(partial);
      throw new IllegalStateException(file + ": closed after " + written + " of the "
          + shape.count() + " elements the header promises (" + shape + " " + dtype.label()
          + "); the file was not written");
    }
    moveIntoPlace();
  }

  private static OutputStream openPartial(final Path partial, final Compression compression,
      final byte[] header) throws IOException {
    final OutputStream raw = Files.newOutputStream(partial);
    try {
      final OutputStream out = compression == Compression.GZIP
          ? new GZIPOutputStream(raw, CHUNK_BYTES) : new BufferedOutputStream(raw, CHUNK_BYTES);
      out.write(header);
      return out;
    } catch (IOException | RuntimeException failure) {
      raw.close();
      Files.deleteIfExists(partial);
      throw failure;
    }
  }

  private void requireType(final boolean ok, final String what) {
    if (!ok) {
      throw new IllegalStateException(
          file + ": a " + dtype.label() + " array cannot be written from " + what);
    }
  }

  private void reserve(final int length) {
    if (closed) {
      throw new IllegalStateException(file + ": already closed");
    }
    if (written + length > shape.count()) {
      throw new IllegalStateException(file + ": writing " + length + " more elements after "
          + written + " would pass the " + shape.count() + " the header promises (" + shape
          + ")");
    }
  }

  private void flushChunk(final int count) throws IOException {
    out.write(chunk.array(), 0, chunk.position());
    written += count;
  }

  private void moveIntoPlace() throws IOException {
    try {
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException notAtomic) {
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
