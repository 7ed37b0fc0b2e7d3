package io.attune.adaptation.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The bytes of a data file, gunzipped when the file starts with gzip's magic, counted so that
 * messages can say where the data ended. Short reads are returned, not thrown, because only the
 * caller knows what the header promised.
 */
final class Source implements Closeable {

  private static final int BUFFER_BYTES = 1 << 16;
  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;

  private final Path file;
  private final InputStream in;
  private final boolean gzipped;
  private long position;

  private Source(final Path file, final InputStream in, final boolean gzipped) {
    this.file = file;
    this.in = in;
    this.gzipped = gzipped;
  }

  /** Opens {@code file}, sniffing gzip from its first two bytes. */
  static Source open(final Path file) throws IOException {
    final BufferedInputStream raw =
        new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
    try {
      raw.mark(2);
      final boolean gzip = raw.read() == GZIP_MAGIC_0 && raw.read() == GZIP_MAGIC_1;
      raw.reset();
      if (!gzip) {
        return new Source(file, raw, false);
      }
      return new Source(file,
          new BufferedInputStream(new GZIPInputStream(raw, BUFFER_BYTES), BUFFER_BYTES), true);
    } catch (EOFException | ZipException gzipHeader) {
      raw.close();
      throw new MalformedDataException(file,
          "corrupt gzip header: " + gzipHeader.getMessage(), gzipHeader);
    } catch (IOException | RuntimeException failure) {
      raw.close();
      throw failure;
    }
  }

  Path file() {
    return file;
  }

  boolean gzipped() {
    return gzipped;
  }

  /** Bytes delivered so far (after gunzipping). */
  long position() {
    return position;
  }

  /** Size on disk of a plain file, which then bounds what a header may promise; -1 if gzipped. */
  long plainSize() throws IOException {
    return gzipped ? -1 : Files.size(file);
  }

  /**
   * Reads up to {@code length} bytes, fewer only at the end of the data.
   *
   * @return the number of bytes read
   * @throws MalformedDataException if the gzip stream is corrupt
   */
  int readFully(final byte[] into, final int offset, final int length) throws IOException {
    int done = 0;
    while (done < length) {
      final int got = read(into, offset + done, length - done);
      if (got < 0) {
        break;
      }
      done += got;
      position += got;
    }
    return done;
  }

  /** The next {@code length} bytes, without consuming them; shorter at the end of the data. */
  byte[] peek(final int length) throws IOException {
    final byte[] head = new byte[length];
    in.mark(length);
    int done = 0;
    while (done < length) {
      final int got = read(head, done, length - done);
      if (got < 0) {
        break;
      }
      done += got;
    }
    in.reset();
    return Arrays.copyOf(head, done);
  }

  /** True when no byte is left; consumes one byte otherwise, so only use it to check the end. */
  boolean atEnd() throws IOException {
    final byte[] one = new byte[1];
    return read(one, 0, 1) < 0;
  }

  private int read(final byte[] into, final int offset, final int length) throws IOException {
    try {
      return in.read(into, offset, length);
    } catch (EOFException cutShort) {
      // GZIPInputStream throws this when the compressed stream stops mid-block; for the caller
      // that is just the end of the data, and its message says what was promised.
      return -1;
    } catch (ZipException corrupt) {
      throw new MalformedDataException(file, "corrupt gzip stream after " + position
          + " bytes of data: " + corrupt.getMessage(), corrupt);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
