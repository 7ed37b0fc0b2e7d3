package io.attune.adaptation.data;

import static io.attune.adaptation.data.TestBytes.floats;
import static io.attune.adaptation.data.TestBytes.longs;
import static io.attune.adaptation.data.TestBytes.npy;
import static io.attune.adaptation.data.TestBytes.npyRaw;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderTest {

  private static final String F4_2X3 =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

  @TempDir
  Path dir;

  private Path file(final String name, final byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  @Test
  void readsAVersion1HeaderPaddedTo64Bytes() throws IOException {
    final byte[] data = floats(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
    try (NpyReader reader = NpyReader.open(file("a.npy", npy(1, F4_2X3, data)))) {
      assertThat(reader.header()).isEqualTo(
          new NpyHeader(1, 0, DType.FLOAT32, LITTLE_ENDIAN, Shape.of(2, 3), 128));
      assertThat(reader.header().descr()).isEqualTo("<f4");
      assertThat(reader.readFloats(1)).containsExactly(1, 2, 3);
      assertThat(reader.readFloats(1)).containsExactly(4, 5, 6);
      assertThat(reader.hasNext()).isFalse();
    }
  }

  @Test
  void readsAVersion2HeaderWithItsFourByteLength() throws IOException {
    final byte[] data = floats(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
    try (NpyReader reader = NpyReader.open(file("a.npy", npy(2, F4_2X3, data)))) {
      assertThat(reader.header().majorVersion()).isEqualTo(2);
      assertThat(reader.header().dataOffset()).isEqualTo(128);
      assertThat(reader.readAllFloats().data()).containsExactly(1, 2, 3, 4, 5, 6);
    }
  }

  @Test
  void readsAVersion3HeaderInUtf8() throws IOException {
    final byte[] data = floats(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
    // U+3000 is whitespace only when the bytes E3 80 80 are decoded as UTF-8, not as Latin-1.
    final Path path = file("a.npy", npyRaw(3, F4_2X3 + " \u3000 \n", data));
    assertThat(ArrayReader.loadFloats(path).shape()).isEqualTo(Shape.of(2, 3));
  }

  @Test
  void readsAnUnpaddedHeaderWhereverTheDataStarts() throws IOException {
    final byte[] data = floats(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
    try (NpyReader reader = NpyReader.open(file("a.npy", npyRaw(1, F4_2X3 + "\n", data)))) {
      assertThat(reader.header().dataOffset()).isEqualTo(10 + F4_2X3.length() + 1);
      assertThat(reader.readAllFloats().data()).containsExactly(1, 2, 3, 4, 5, 6);
    }
  }

  @Test
  void readsAZeroDimensionalScalar() throws IOException {
    final String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }";
    try (NpyReader reader = NpyReader.open(file("s.npy", npy(1, dict, longs(LITTLE_ENDIAN, -7))))) {
      assertThat(reader.shape()).isEqualTo(Shape.scalar());
      assertThat(reader.itemCount()).isEqualTo(1);
      assertThat(reader.readAllLongs()).isEqualTo(new LongData(Shape.scalar(), new long[] {-7}));
    }
  }

  @Test
  void readsAOneDimensionalUint8Array() throws IOException {
    final String dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }";
    final byte[] data = {0, 1, 127, (byte) 128, (byte) 255};
    final ByteData all = ArrayReader.loadBytes(file("u.npy", npy(1, dict, data)));
    assertThat(all.shape()).isEqualTo(Shape.of(5));
    assertThat(all.valueAt(4)).isEqualTo(255);
    assertThat(ArrayReader.loadLongs(dir.resolve("u.npy")).data()).containsExactly(0, 1, 127, 128,
        255);
  }

  @Test
  void readsAThreeDimensionalInt32ArrayRowByRow() throws IOException {
    final String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2, 2), }";
    final byte[] data = TestBytes.ints(LITTLE_ENDIAN, 0, -1, 2, -3, 4, -5, 6, Integer.MIN_VALUE);
    try (NpyReader reader = NpyReader.open(file("i.npy", npy(1, dict, data)))) {
      assertThat(reader.itemElements()).isEqualTo(4);
      assertThat(reader.readLongs(1)).containsExactly(0, -1, 2, -3);
      assertThat(reader.readLongs(1)).containsExactly(4, -5, 6, Integer.MIN_VALUE);
    }
  }

  @Test
  void readsInt64Labels() throws IOException {
    final String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
    final Path path = file("l.npy", npy(1, dict, longs(LITTLE_ENDIAN, 9, 1L << 40, -2)));
    assertThat(ArrayReader.loadLongs(path).data()).containsExactly(9, 1L << 40, -2);
  }

  @Test
  void readsBigEndianFloats() throws IOException {
    final String dict = "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }";
    try (NpyReader reader = NpyReader.open(file("b.npy", npy(1, dict,
        floats(BIG_ENDIAN, 1.5f, -2f))))) {
      assertThat(reader.header().order()).isEqualTo(BIG_ENDIAN);
      assertThat(reader.readAllFloats().data()).containsExactly(1.5f, -2f);
    }
  }

  @Test
  void parsesTheDictLiberallyAsPythonWould() throws IOException {
    final String dict = "{ \"shape\" : ( 2L , 1 ) ,\"fortran_order\":False,'descr':'<f4'}";
    final Path path = file("odd.npy", npy(1, dict, floats(LITTLE_ENDIAN, 1, 2)));
    assertThat(ArrayReader.loadFloats(path))
        .isEqualTo(new FloatData(Shape.of(2, 1), new float[] {1, 2}));
  }

  @Test
  void acceptsFortranOrderForOneDimensionWhereTheLayoutIsTheSame() throws IOException {
    final String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }";
    final Path path = file("f1.npy", npy(1, dict, floats(LITTLE_ENDIAN, 1, 2)));
    assertThat(ArrayReader.loadFloats(path).data()).containsExactly(1, 2);
  }

  @Test
  void readsAnEmptyArray() throws IOException {
    final String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 128), }";
    assertThat(ArrayReader.loadFloats(file("e.npy", npy(1, dict, new byte[0]))).shape())
        .isEqualTo(Shape.of(0, 128));
  }

  @Test
  void readsAGzippedNpyFile() throws IOException {
    final Path path = file("z.npy", TestBytes.gzip(npy(1, F4_2X3,
        floats(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6))));
    assertThat(ArrayReader.loadFloats(path).data()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void openDetectsNpyWhateverTheFileName() throws IOException {
    final Path path = file("images-idx3-ubyte", npy(1, F4_2X3, new byte[24]));
    try (ArrayReader reader = ArrayReader.open(path)) {
      assertThat(reader).isInstanceOf(NpyReader.class);
    }
  }
}
