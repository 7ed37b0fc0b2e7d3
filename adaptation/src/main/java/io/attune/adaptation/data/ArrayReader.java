package io.attune.adaptation.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Streams the items (slices along the first axis) of an IDX or NPY file, plain or gzipped, in
 * batches. Only the header is read on open; each {@code readInto}/{@code read*} call reads the
 * next items and nothing more, and {@code readAll*} loads whatever is left.
 *
 * <p>Integrity is checked as early as the file allows. For a plain file the size the header
 * promises is compared with the file size on open, so a truncated file or a header claiming
 * 2<sup>31</sup> items fails before any data is read. A gzipped file has no trustworthy size, so
 * truncation is reported when the data runs out, trailing bytes when the last item is read, and
 * {@code readAll*} grows its array as data actually arrives instead of trusting the header.
 *
 * <p>Not thread-safe: one reader is one position in one stream.
 */
public abstract sealed class ArrayReader implements Closeable permits IdxReader, NpyReader {

  /** The longest array the common JVMs will allocate. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
  private static final int CHUNK_BYTES = 1 << 16;
  /** Elements {@code readAll*} allocates up front when the header cannot be checked (gzip). */
  private static final int UNVERIFIED_INITIAL = 1 << 22;

  private final Source source;
  private final DType dtype;
  private final Shape shape;
  private final long headerBytes;
  private final long dataBytes;
  private final int itemElements;
  private final boolean sizeVerified;
  private final ByteBuffer chunk;
  private long position;

  ArrayReader(final Source source, final DType dtype, final ByteOrder order, final Shape shape,
      final long headerBytes) throws IOException {
    this.source = source;
    this.dtype = dtype;
    this.shape = shape;
    this.headerBytes = headerBytes;
    this.dataBytes = checkedDataBytes(source.file(), dtype, shape);
    this.itemElements = checkedItemElements(source.file(), dtype, shape);
    this.chunk = ByteBuffer.allocate(CHUNK_BYTES).order(order);
    this.sizeVerified = checkPlainSize();
  }

  /**
   * Opens an IDX or NPY file, telling them (and gzip) apart by their magic bytes.
   *
   * @throws MalformedDataException if the file is neither, or its header is malformed
   */
  public static ArrayReader open(final Path file) throws IOException {
    return openWith(file, source -> {
      final byte[] head = source.peek(NpyHeader.MAGIC_LENGTH);
      if (NpyHeader.hasMagic(head)) {
        return NpyReader.read(source);
      }
      if (head.length >= 2 && head[0] == 0 && head[1] == 0) {
        return IdxReader.read(source);
      }
      throw new MalformedDataException(file, "unknown format: expected IDX magic 0x00 0x00 or"
          + " NPY magic \\x93NUMPY, found " + hex(head));
    });
  }

  /** Opens {@code file} with {@link #open} and loads it with {@link #readAllBytes()}. */
  public static ByteData loadBytes(final Path file) throws IOException {
    try (ArrayReader reader = open(file)) {
      return reader.readAllBytes();
    }
  }

  /** Opens {@code file} with {@link #open} and loads it with {@link #readAllFloats()}. */
  public static FloatData loadFloats(final Path file) throws IOException {
    try (ArrayReader reader = open(file)) {
      return reader.readAllFloats();
    }
  }

  /** Opens {@code file} with {@link #open} and loads it with {@link #readAllLongs()}. */
  public static LongData loadLongs(final Path file) throws IOException {
    try (ArrayReader reader = open(file)) {
      return reader.readAllLongs();
    }
  }

  /** The file being read, as given to {@code open}. */
  public final Path file() {
    return source.file();
  }

  /** Element type stored in the file. */
  public final DType dtype() {
    return dtype;
  }

  /** Shape of the whole array, as the header declares it. */
  public final Shape shape() {
    return shape;
  }

  /** Items in the file: the first dimension, or 1 for a scalar. */
  public final long itemCount() {
    return shape.items();
  }

  /** Elements in one item, e.g. 784 for 28 x 28 images. */
  public final int itemElements() {
    return itemElements;
  }

  /** Items read so far. */
  public final long position() {
    return position;
  }

  /** Items not yet read. */
  public final long remaining() {
    return itemCount() - position;
  }

  /** True while items are left. */
  public final boolean hasNext() {
    return position < itemCount();
  }

  /**
   * Reads up to {@code maxItems} items of a uint8 or int8 file as raw bytes into {@code dst},
   * as many as are left and fit from {@code offset}.
   *
   * @return the number of items read; 0 only when none are left or {@code maxItems} is 0
   * @throws MalformedDataException if the file holds another type, or its data ends early
   */
  public final int readInto(final byte[] dst, final int offset, final int maxItems)
      throws IOException {
    requireType(dtype.bytes() == 1, "bytes", "uint8 or int8");
    final int items = itemsFitting(dst.length, offset, maxItems);
    final int length = items * itemElements;
    final int got = source.readFully(dst, offset, length);
    if (got < length) {
      throw truncated(source.position() - headerBytes);
    }
    advance(items);
    return items;
  }

  /**
   * Reads up to {@code maxItems} items of any type into {@code dst}, converted to float without
   * scaling (uint8 pixels arrive as 0..255).
   *
   * @return the number of items read; 0 only when none are left or {@code maxItems} is 0
   * @throws MalformedDataException if the data ends early
   */
  public final int readInto(final float[] dst, final int offset, final int maxItems)
      throws IOException {
    final int items = itemsFitting(dst.length, offset, maxItems);
    final int elements = items * itemElements;
    final int perChunk = CHUNK_BYTES / dtype.bytes();
    int done = 0;
    while (done < elements) {
      final int count = Math.min(perChunk, elements - done);
      Elements.toFloats(dtype, nextChunk(count), dst, offset + done, count);
      done += count;
    }
    advance(items);
    return items;
  }

  /**
   * Reads up to {@code maxItems} items of an integer type into {@code dst}, widened to long.
   *
   * @return the number of items read; 0 only when none are left or {@code maxItems} is 0
   * @throws MalformedDataException if the file holds floats, or its data ends early
   */
  public final int readInto(final long[] dst, final int offset, final int maxItems)
      throws IOException {
    requireType(dtype.isInteger(), "longs", "an integer type");
    final int items = itemsFitting(dst.length, offset, maxItems);
    final int elements = items * itemElements;
    final int perChunk = CHUNK_BYTES / dtype.bytes();
    int done = 0;
    while (done < elements) {
      final int count = Math.min(perChunk, elements - done);
      Elements.toLongs(dtype, nextChunk(count), dst, offset + done, count);
      done += count;
    }
    advance(items);
    return items;
  }

  /** The next {@code min(maxItems, remaining())} items as bytes, like {@code readInto}. */
  public final byte[] readBytes(final int maxItems) throws IOException {
    requireType(dtype.bytes() == 1, "bytes", "uint8 or int8");
    final byte[] batch = new byte[batchLength(maxItems)];
    readInto(batch, 0, maxItems);
    return batch;
  }

  /** The next {@code min(maxItems, remaining())} items as floats, like {@code readInto}. */
  public final float[] readFloats(final int maxItems) throws IOException {
    final float[] batch = new float[batchLength(maxItems)];
    readInto(batch, 0, maxItems);
    return batch;
  }

  /** The next {@code min(maxItems, remaining())} items as longs, like {@code readInto}. */
  public final long[] readLongs(final int maxItems) throws IOException {
    requireType(dtype.isInteger(), "longs", "an integer type");
    final long[] batch = new long[batchLength(maxItems)];
    readInto(batch, 0, maxItems);
    return batch;
  }

  /** All items not yet read, as bytes; the first axis of the result counts them. */
  public final ByteData readAllBytes() throws IOException {
    requireType(dtype.bytes() == 1, "bytes", "uint8 or int8");
    final Shape rest = restShape();
    final int total = arrayLength(rest);
    byte[] all = new byte[initialLength(total)];
    for (int filled = 0; hasNext(); ) {
      if (all.length - filled < itemElements) {
        all = Arrays.copyOf(all, grownLength(all.length, total));
      }
      filled += readInto(all, filled, Integer.MAX_VALUE) * itemElements;
    }
    return new ByteData(dtype, rest, all);
  }

  /** All items not yet read, as floats; the first axis of the result counts them. */
  public final FloatData readAllFloats() throws IOException {
    final Shape rest = restShape();
    final int total = arrayLength(rest);
    float[] all = new float[initialLength(total)];
    for (int filled = 0; hasNext(); ) {
      if (all.length - filled < itemElements) {
        all = Arrays.copyOf(all, grownLength(all.length, total));
      }
      filled += readInto(all, filled, Integer.MAX_VALUE) * itemElements;
    }
    return new FloatData(rest, all);
  }

  /** All items not yet read, as longs; the first axis of the result counts them. */
  public final LongData readAllLongs() throws IOException {
    requireType(dtype.isInteger(), "longs", "an integer type");
    final Shape rest = restShape();
    final int total = arrayLength(rest);
    long[] all = new long[initialLength(total)];
    for (int filled = 0; hasNext(); ) {
      if (all.length - filled < itemElements) {
        all = Arrays.copyOf(all, grownLength(all.length, total));
      }
      filled += readInto(all, filled, Integer.MAX_VALUE) * itemElements;
    }
    return new LongData(rest, all);
  }

  @Override
  public final void close() throws IOException {
    source.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + file() + ", " + dtype.label() + " " + shape
        + ", at item " + position + "]";
  }

  /** Something that parses a header from an open source. */
  interface Opener<T> {
    T open(Source source) throws IOException;
  }

  /** Opens {@code file} and hands it to {@code opener}, closing it if the opener fails. */
  static <T> T openWith(final Path file, final Opener<T> opener) throws IOException {
    final Source source = Source.open(file);
    try {
      return opener.open(source);
    } catch (IOException | RuntimeException failure) {
      source.close();
      throw failure;
    }
  }

  /** {@code 0x93 0x4e ...}, for messages about magic bytes. */
  static String hex(final byte[] bytes) {
    if (bytes.length == 0) {
      return "an empty file";
    }
    final StringBuilder text = new StringBuilder();
    for (final byte b : bytes) {
      text.append(text.length() == 0 ? "" : " ").append(String.format("0x%02x", b & 0xff));
    }
    return text.toString();
  }

  private static long checkedDataBytes(final Path file, final DType dtype, final Shape shape)
      throws MalformedDataException {
    try {
      return Math.multiplyExact(shape.count(), dtype.bytes());
    } catch (ArithmeticException overflow) {
      throw new MalformedDataException(file, "absurd shape: " + shape + " " + dtype.label()
          + " is more bytes than a long counts", overflow);
    }
  }

  private static int checkedItemElements(final Path file, final DType dtype, final Shape shape)
      throws MalformedDataException {
    final long elements = shape.itemElements();
    if (elements * dtype.bytes() > MAX_ARRAY) {
      throw new MalformedDataException(file, "absurd shape: one item of " + shape + " "
          + dtype.label() + " is " + elements * dtype.bytes()
          + " bytes, more than one Java array holds (" + MAX_ARRAY + ")");
    }
    return (int) elements;
  }

  private boolean checkPlainSize() throws IOException {
    final long size = source.plainSize();
    if (size < 0) {
      return false;
    }
    final long available = size - headerBytes;
    if (available < dataBytes) {
      throw truncated(available);
    }
    if (available > dataBytes) {
      throw new MalformedDataException(file(), "trailing data: header promises " + promise()
          + ", file has " + available + " bytes of data");
    }
    return true;
  }

  private String promise() {
    return shape + " " + dtype.label() + " = " + dataBytes + " bytes";
  }

  private MalformedDataException truncated(final long dataSeen) {
    return new MalformedDataException(file(), "truncated data: header promises " + promise()
        + ", file ends after " + dataSeen + " bytes of data");
  }

  private void requireType(final boolean ok, final String as, final String needs)
      throws MalformedDataException {
    if (!ok) {
      throw new MalformedDataException(file(), "holds " + dtype.label()
          + " elements, which cannot be read as " + as + " (that needs " + needs + ")");
    }
  }

  private int itemsFitting(final int length, final int offset, final int maxItems) {
    if (offset < 0 || offset > length || maxItems < 0) {
      throw new IllegalArgumentException("offset " + offset + " and maxItems " + maxItems
          + " do not fit an array of " + length);
    }
    final long wanted = Math.min(maxItems, remaining());
    if (itemElements == 0) {
      return (int) wanted;
    }
    final long room = (length - offset) / itemElements;
    if (room == 0 && wanted > 0) {
      throw new IllegalArgumentException("an array of " + length + " from offset " + offset
          + " has no room for one item of " + itemElements + " elements");
    }
    return (int) Math.min(wanted, room);
  }

  private int batchLength(final int maxItems) {
    final long items = Math.min(Math.max(maxItems, 0), remaining());
    final long length = items * itemElements;
    if (length > MAX_ARRAY) {
      throw new IllegalArgumentException("a batch of " + items + " items of " + itemElements
          + " elements does not fit one array; ask for at most " + MAX_ARRAY / itemElements);
    }
    return (int) length;
  }

  private ByteBuffer nextChunk(final int elements) throws IOException {
    final int length = elements * dtype.bytes();
    final int got = source.readFully(chunk.array(), 0, length);
    if (got < length) {
      throw truncated(source.position() - headerBytes);
    }
    chunk.clear().limit(length);
    return chunk;
  }

  private void advance(final int items) throws IOException {
    position += items;
    if (items > 0 && position == itemCount() && !source.atEnd()) {
      throw new MalformedDataException(file(), "trailing data: header promises " + promise()
          + ", file has more bytes after them");
    }
  }

  private Shape restShape() {
    if (shape.rank() == 0) {
      if (position > 0) {
        throw new IllegalStateException(file() + ": the scalar has already been read");
      }
      return shape;
    }
    return shape.withItems((int) remaining());
  }

  private int arrayLength(final Shape rest) throws MalformedDataException {
    if (rest.count() > MAX_ARRAY) {
      throw new MalformedDataException(file(), "too large to load: " + rest + " "
          + dtype.label() + " is " + rest.count() + " elements, more than one Java array holds ("
          + MAX_ARRAY + "); read it in batches");
    }
    return (int) rest.count();
  }

  private int initialLength(final int total) {
    return sizeVerified ? total : Math.min(total, Math.max(UNVERIFIED_INITIAL, itemElements));
  }

  private int grownLength(final int length, final int total) {
    return (int) Math.min(total, Math.max(2L * length, (long) length + itemElements));
  }
}
