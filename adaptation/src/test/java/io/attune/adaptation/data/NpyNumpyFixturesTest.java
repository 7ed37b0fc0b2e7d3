package io.attune.adaptation.data;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads files written by NumPy 1.24 itself, made by {@code npy/make_npy_fixtures.py} beside
 * them; the expected values here are the ones that script saves.
 */
class NpyNumpyFixturesTest {

  private static final float[] F4 = {-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f};

  @TempDir
  Path dir;

  private static Path fixture(final String name) throws URISyntaxException {
    return Path.of(NpyNumpyFixturesTest.class.getResource("npy/" + name).toURI());
  }

  @Test
  void readsNumpysVersion1Float32() throws Exception {
    try (NpyReader reader = NpyReader.open(fixture("f4_2x3_v1.npy"))) {
      assertThat(reader.header().majorVersion()).isEqualTo(1);
      assertThat(reader.header().dataOffset() % 64).isZero();
      assertThat(reader.readAllFloats()).isEqualTo(new FloatData(Shape.of(2, 3), F4));
    }
  }

  @Test
  void readsNumpysVersion2And3Headers() throws Exception {
    for (final int version : new int[] {2, 3}) {
      try (NpyReader reader = NpyReader.open(fixture("f4_3x2_v" + version + ".npy"))) {
        assertThat(reader.header().majorVersion()).isEqualTo(version);
        assertThat(reader.readAllFloats()).isEqualTo(new FloatData(Shape.of(3, 2), F4));
      }
    }
  }

  @Test
  void readsNumpysUint8ScalarInt64Int32AndEmptyArrays() throws Exception {
    final ByteData u1 = ArrayReader.loadBytes(fixture("u1_5.npy"));
    assertThat(u1.shape()).isEqualTo(Shape.of(5));
    assertThat(new int[] {u1.valueAt(0), u1.valueAt(2), u1.valueAt(3), u1.valueAt(4)})
        .containsExactly(0, 127, 128, 255);
    assertThat(ArrayReader.loadLongs(fixture("i8_scalar.npy")))
        .isEqualTo(new LongData(Shape.scalar(), new long[] {-7}));
    assertThat(ArrayReader.loadLongs(fixture("i8_4.npy")).data())
        .containsExactly(0, -1, 1L << 40, 9);
    final LongData i4 = ArrayReader.loadLongs(fixture("i4_2x3x4.npy"));
    assertThat(i4.shape()).isEqualTo(Shape.of(2, 3, 4));
    assertThat(i4.data()[0]).isEqualTo(-12);
    assertThat(i4.data()[23]).isEqualTo(11);
    assertThat(ArrayReader.loadFloats(fixture("f4_0x4.npy")).shape()).isEqualTo(Shape.of(0, 4));
  }

  @Test
  void readsNumpysBigEndianFloat32() throws Exception {
    try (NpyReader reader = NpyReader.open(fixture("f4_be_2x2.npy"))) {
      assertThat(reader.header().order()).isEqualTo(BIG_ENDIAN);
      assertThat(reader.readAllFloats().data()).containsExactly(1.5f, -2f, 3f, 0.004f);
    }
  }

  @Test
  void refusesNumpysFortranOrderArray() throws Exception {
    final Path path = fixture("f8_fortran_2x3.npy");
    assertThatThrownBy(() -> NpyReader.open(path))
        .isInstanceOf(MalformedDataException.class)
        .hasMessage(path + ": fortran_order is True for shape 2 x 3: only C-order arrays are"
            + " supported; save np.ascontiguousarray(a) instead");
  }

  @Test
  void writesByteForByteWhatNumpySaves() throws Exception {
    NpyWriter.write(dir.resolve("f4.npy"), new FloatData(Shape.of(2, 3), F4));
    NpyWriter.write(dir.resolve("u1.npy"), new ByteData(DType.UINT8, Shape.of(5),
        new byte[] {0, 1, 127, (byte) 128, (byte) 255}));
    NpyWriter.write(dir.resolve("i8.npy"), new LongData(Shape.of(4),
        new long[] {0, -1, 1L << 40, 9}));
    NpyWriter.write(dir.resolve("s.npy"), new LongData(Shape.scalar(), new long[] {-7}));
    NpyWriter.write(dir.resolve("e.npy"), new FloatData(Shape.of(0, 4), new float[0]));
    try (NpyWriter out = NpyWriter.create(dir.resolve("i4.npy"), DType.INT32, Shape.of(2, 3, 4))) {
      for (long v = -12; v < 12; v++) {
        out.write(new long[] {v}, 0, 1);
      }
    }
    assertSameBytes("f4.npy", "f4_2x3_v1.npy");
    assertSameBytes("u1.npy", "u1_5.npy");
    assertSameBytes("i8.npy", "i8_4.npy");
    assertSameBytes("s.npy", "i8_scalar.npy");
    assertSameBytes("e.npy", "f4_0x4.npy");
    assertSameBytes("i4.npy", "i4_2x3x4.npy");
  }

  private void assertSameBytes(final String ours, final String numpys)
      throws IOException, URISyntaxException {
    assertThat(Files.readAllBytes(dir.resolve(ours)))
        .as("%s against NumPy's %s", ours, numpys)
        .containsExactly(Files.readAllBytes(fixture(numpys)));
  }
}
