package io.attune.adaptation.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an NPY preamble and parses its header dict. The dict is a Python literal, so this is a
 * small recursive-descent parser for exactly what NumPy writes: quoted strings, True/False, and
 * tuples of integers (with Python 2's {@code L} suffix tolerated, as NumPy still reads it).
 */
final class NpyHeaderParser {

  /** NumPy's own reader refuses headers over 10000 bytes by default; this leaves ample room. */
  static final int MAX_HEADER_BYTES = 1 << 20;
  private static final int FIXED_PREAMBLE = NpyHeader.MAGIC_LENGTH + 2;
  private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
  private static final int QUOTED_TEXT_LIMIT = 200;

  private final Path file;
  private final String text;
  private int at;

  private NpyHeaderParser(final Path file, final String text) {
    this.file = file;
    this.text = text;
  }

  /** Reads the preamble and the header dict, leaving {@code source} at the first data byte. */
  static NpyHeader read(final Source source) throws IOException {
    final Path file = source.file();
    final byte[] preamble = new byte[FIXED_PREAMBLE];
    final int got = source.readFully(preamble, 0, FIXED_PREAMBLE);
    if (got < FIXED_PREAMBLE) {
      throw new MalformedDataException(file, "truncated header: NPY starts with "
          + FIXED_PREAMBLE + " bytes (magic, version), file has " + got);
    }
    if (!NpyHeader.hasMagic(preamble)) {
      throw new MalformedDataException(file, "bad magic: NPY starts with \\x93NUMPY, found "
          + ArrayReader.hex(Arrays.copyOf(preamble, NpyHeader.MAGIC_LENGTH)));
    }
    final int major = Byte.toUnsignedInt(preamble[6]);
    final int minor = Byte.toUnsignedInt(preamble[7]);
    if (major < 1 || major > 3 || minor != 0) {
      throw new MalformedDataException(file, "unsupported NPY version " + major + "." + minor
          + "; this reader knows 1.0, 2.0 and 3.0");
    }
    final long headerLength = readHeaderLength(source, major);
    final byte[] dict = new byte[(int) headerLength];
    final int dictGot = source.readFully(dict, 0, dict.length);
    if (dictGot < dict.length) {
      throw new MalformedDataException(file, "truncated header: header length says "
          + headerLength + " bytes, file has " + dictGot + " after the preamble");
    }
    final String text = new String(dict, NpyHeader.charset(major));
    final Map<String, Object> entries = new NpyHeaderParser(file, text).dict();
    return interpret(file, major, minor, entries, NpyHeader.preambleBytes(major) + headerLength);
  }

  private static long readHeaderLength(final Source source, final int major) throws IOException {
    final int width = major == 1 ? 2 : 4;
    final byte[] raw = new byte[width];
    final int got = source.readFully(raw, 0, width);
    if (got < width) {
      throw new MalformedDataException(source.file(), "truncated header: NPY " + major
          + ".0 needs " + NpyHeader.preambleBytes(major) + " preamble bytes, file has "
          + (FIXED_PREAMBLE + got));
    }
    final ByteBuffer little = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    final long length = width == 2
        ? Short.toUnsignedInt(little.getShort()) : Integer.toUnsignedLong(little.getInt());
    if (length > MAX_HEADER_BYTES) {
      throw new MalformedDataException(source.file(), "absurd header length: " + length
          + " bytes, this reader accepts up to " + MAX_HEADER_BYTES);
    }
    return length;
  }

  private static NpyHeader interpret(final Path file, final int major, final int minor,
      final Map<String, Object> entries, final long dataOffset) throws MalformedDataException {
    for (final String key : KEYS) {
      if (!entries.containsKey(key)) {
        throw new MalformedDataException(file, "header dict lacks '" + key + "': " + entries);
      }
    }
    for (final String key : entries.keySet()) {
      if (!KEYS.contains(key)) {
        throw new MalformedDataException(file, "unexpected key '" + key
            + "' in header dict; NPY headers hold exactly descr, fortran_order and shape");
      }
    }
    final String descr = typed(file, entries, "descr", String.class, "a string like '<f4'");
    final boolean fortran =
        typed(file, entries, "fortran_order", Boolean.class, "True or False");
    final Shape shape = NpyTypes.shape(file, typed(file, entries, "shape", List.class,
        "a tuple of dimensions"));
    if (fortran && shape.rank() > 1) {
      throw new MalformedDataException(file, "fortran_order is True for shape " + shape
          + ": only C-order arrays are supported; save np.ascontiguousarray(a) instead");
    }
    final DType dtype = NpyTypes.dtype(file, descr);
    final ByteOrder order = descr.charAt(0) == '>' && dtype.bytes() > 1
        ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    return new NpyHeader(major, minor, dtype, order, shape, dataOffset);
  }

  private static <T> T typed(final Path file, final Map<String, Object> entries,
      final String key, final Class<T> type, final String expected)
      throws MalformedDataException {
    final Object value = entries.get(key);
    if (!type.isInstance(value)) {
      throw new MalformedDataException(file, "'" + key + "' must be " + expected + ", found "
          + value);
    }
    return type.cast(value);
  }

  private Map<String, Object> dict() throws MalformedDataException {
    final Map<String, Object> entries = new LinkedHashMap<>();
    expect('{');
    while (peek() != '}') {
      final String key = string();
      expect(':');
      entries.put(key, value());
      if (peek() != ',') {
        break;
      }
      expect(',');
    }
    expect('}');
    if (peek() != 0) {
      throw fail("the end of the header after '}'");
    }
    return entries;
  }

  private Object value() throws MalformedDataException {
    final char next = peek();
    if (next == '\'' || next == '"') {
      return string();
    }
    if (next == '(') {
      return tuple();
    }
    if (next == '[') {
      throw fail("a string descr; structured dtypes (a list descr) are not supported, so a");
    }
    if (text.startsWith("True", at)) {
      at += 4;
      return Boolean.TRUE;
    }
    if (text.startsWith("False", at)) {
      at += 5;
      return Boolean.FALSE;
    }
    throw fail("a string, True, False or a tuple");
  }

  private String string() throws MalformedDataException {
    final char quote = peek();
    if (quote != '\'' && quote != '"') {
      throw fail("a quoted string");
    }
    final int end = text.indexOf(quote, at + 1);
    if (end < 0) {
      throw fail("a closing " + quote);
    }
    final String value = text.substring(at + 1, end);
    at = end + 1;
    return value;
  }

  private List<String> tuple() throws MalformedDataException {
    expect('(');
    final List<String> numbers = new ArrayList<>();
    while (peek() != ')') {
      final int start = at;
      if (peek() == '-') {
        at++;
      }
      while (at < text.length() && Character.isDigit(text.charAt(at))) {
        at++;
      }
      if (at == start) {
        throw fail("an integer dimension");
      }
      numbers.add(text.substring(start, at));
      if (at < text.length() && (text.charAt(at) == 'L' || text.charAt(at) == 'l')) {
        at++;
      }
      if (peek() != ',') {
        break;
      }
      expect(',');
    }
    expect(')');
    return numbers;
  }

  /** The next non-blank character, or 0 at the end. */
  private char peek() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
    return at < text.length() ? text.charAt(at) : 0;
  }

  private void expect(final char wanted) throws MalformedDataException {
    if (peek() != wanted) {
      throw fail("'" + wanted + "'");
    }
    at++;
  }

  private MalformedDataException fail(final String expected) {
    final String found = at < text.length() ? "'" + text.charAt(at) + "'" : "the end";
    final String shown = text.length() > QUOTED_TEXT_LIMIT
        ? text.substring(0, QUOTED_TEXT_LIMIT) + "..." : text.strip();
    return new MalformedDataException(file, "malformed header dict at character " + at
        + ": expected " + expected + ", found " + found + " in " + shown);
  }
}
