package io.attune.adaptation.data;

import static io.attune.adaptation.data.TestBytes.floats;
import static io.attune.adaptation.data.TestBytes.npy;
import static io.attune.adaptation.data.TestBytes.npyRaw;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderMalformedTest {

  @TempDir
  Path dir;

  private Path file(final String name, final byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  /** A file with {@code dict} as its header and no data. */
  private Path header(final String dict) throws IOException {
    return file("h.npy", npy(1, dict, new byte[0]));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(final Path path) {
    return assertThatThrownBy(() -> NpyReader.open(path))
        .isInstanceOf(MalformedDataException.class)
        .hasMessageStartingWith(path + ": ");
  }

  @Test
  void refusesBadMagic() throws IOException {
    final Path path = file("x.npy", "\u0093NUMPX\u0001\u0000abcdefgh".getBytes("ISO-8859-1"));
    assertOpenFails(path)
        .hasMessageContaining("bad magic: NPY starts with \\x93NUMPY, found 0x93 0x4e 0x55 0x4d"
            + " 0x50 0x58");
  }

  @Test
  void refusesAnUnknownVersion() throws IOException {
    final byte[] bytes = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }",
        new byte[0]);
    bytes[6] = 4;
    assertOpenFails(file("v4.npy", bytes))
        .hasMessageContaining("unsupported NPY version 4.0; this reader knows 1.0, 2.0 and 3.0");
  }

  @Test
  void refusesAFileCutInThePreamble() throws IOException {
    final byte[] whole = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }",
        new byte[0]);
    assertOpenFails(file("a.npy", Arrays.copyOf(whole, 5)))
        .hasMessageContaining("truncated header: NPY starts with 8 bytes (magic, version), file"
            + " has 5");
    assertOpenFails(file("b.npy", Arrays.copyOf(whole, 10)))
        .hasMessageContaining("truncated header: NPY 2.0 needs 12 preamble bytes, file has 10");
  }

  @Test
  void refusesAHeaderShorterThanItsStatedLength() throws IOException {
    final byte[] whole = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }",
        new byte[0]);
    assertOpenFails(file("cut.npy", Arrays.copyOf(whole, 40)))
        .hasMessageContaining("truncated header: header length says 118 bytes, file has 30 after"
            + " the preamble");
  }

  @Test
  void refusesAnAbsurdHeaderLength() throws IOException {
    final byte[] bytes = npyRaw(2, "{}", new byte[0]);
    bytes[8] = (byte) 0xff;
    bytes[9] = (byte) 0xff;
    bytes[10] = (byte) 0xff;
    bytes[11] = (byte) 0x7f;
    assertOpenFails(file("long.npy", bytes))
        .hasMessageContaining("absurd header length: 2147483647 bytes");
  }

  @Test
  void refusesFortranOrderForTwoOrMoreDimensions() throws IOException {
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': True, 'shape': (0, 3), }"))
        .hasMessageContaining("fortran_order is True for shape 0 x 3: only C-order arrays are"
            + " supported");
  }

  @Test
  void refusesUnsupportedDtypesListingTheSupportedOnes() throws IOException {
    for (final String descr : new String[] {"<c8", "<u4", "|b1", "<U10", "=f4", "|f4", ""}) {
      assertOpenFails(header("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (0,), }"))
          .hasMessageContaining("unsupported dtype '" + descr + "'; this reader knows |u1, |i1,"
              + " <i2, <i4, <i8, <f4 and <f8");
    }
  }

  @Test
  void refusesAStructuredDtype() throws IOException {
    assertOpenFails(header("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (0,), }"))
        .hasMessageContaining("structured dtypes (a list descr) are not supported");
  }

  @Test
  void refusesAMissingOrUnexpectedKey() throws IOException {
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': False, }"))
        .hasMessageContaining("header dict lacks 'shape'");
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': ()}"))
        .hasMessageContaining("unexpected key 'x'");
  }

  @Test
  void refusesValuesOfTheWrongKind() throws IOException {
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,), }"))
        .hasMessageContaining("'fortran_order' must be True or False, found no");
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }"))
        .hasMessageContaining("malformed header dict at character");
  }

  @Test
  void refusesAnUnparsableDict() throws IOException {
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) "))
        .hasMessageContaining("malformed header dict at character 118: expected '}', found the"
            + " end");
    assertOpenFails(header("descr=<f4"))
        .hasMessageContaining("expected '{', found 'd'");
  }

  @Test
  void refusesNegativeAndAbsurdDimensions() throws IOException {
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': False, 'shape': (-3, 2), }"))
        .hasMessageContaining("negative or absurd dimension: dimension 0 is -3");
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2147483648), }"))
        .hasMessageContaining("dimension 1 is 2147483648, must be 0..2147483647");
    assertOpenFails(header("{'descr': '<f4', 'fortran_order': False,"
        + " 'shape': (99999999999999999999999,), }"))
        .hasMessageContaining("dimension 0 is 99999999999999999999999");
  }

  @Test
  void refusesDataShorterThanTheShapePromises() throws IOException {
    final Path path = file("features.npy", npy(1,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2000, 128), }",
        floats(LITTLE_ENDIAN, new float[300])));
    assertOpenFails(path)
        .hasMessageContaining("truncated data: header promises 2000 x 128 float32 = 1024000 bytes,"
            + " file ends after 1200 bytes of data");
  }

  @Test
  void refusesAHeaderClaimingTwoBillionRowsBeforeAllocating() throws IOException {
    final Path path = file("huge.npy", TestBytes.gzip(npy(1,
        "{'descr': '<i8', 'fortran_order': False, 'shape': (2147483647,), }", new byte[80])));
    try (NpyReader reader = NpyReader.open(path)) {
      assertThat(reader.itemCount()).isEqualTo(Integer.MAX_VALUE);
      assertThatThrownBy(reader::readAllLongs)
          .isInstanceOf(MalformedDataException.class)
          .hasMessageContaining("too large to load: 2147483647 int64 is 2147483647 elements");
    }
  }
}
