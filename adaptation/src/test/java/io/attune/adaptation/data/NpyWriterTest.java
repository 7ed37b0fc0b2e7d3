package io.attune.adaptation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyWriterTest {

  @TempDir
  Path dir;

  @Test
  void writesAVersion1HeaderPaddedSoDataStartsAtAMultipleOf64() throws IOException {
    final Path path = dir.resolve("features.npy");
    NpyWriter.write(path, new FloatData(Shape.of(2000, 128), new float[2000 * 128]));
    final byte[] bytes = Files.readAllBytes(path);
    final int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    final String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);

    assertThat(bytes[6]).isEqualTo((byte) 1);
    assertThat((10 + headerLength) % 64).isZero();
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2000, 128),"
        + " }").endsWith(" \n");
    assertThat(bytes.length).isEqualTo(10 + headerLength + 2000 * 128 * 4);
  }

  @Test
  void roundTripsFloat32Uint8AndInt64() throws IOException {
    final FloatData features = new FloatData(Shape.of(3, 4),
        new float[] {0, 1, -1, 0.5f, Float.MIN_VALUE, Float.NaN, 7, 8, 9, 10, 11, -0f});
    final ByteData labels = new ByteData(DType.UINT8, Shape.of(4), new byte[] {9, 0, 5, -1});
    final LongData indices = new LongData(Shape.of(2, 2), new long[] {Long.MIN_VALUE, 0, 1, 42});
    NpyWriter.write(dir.resolve("f.npy"), features);
    NpyWriter.write(dir.resolve("u.npy"), labels);
    NpyWriter.write(dir.resolve("i.npy"), indices);

    assertThat(ArrayReader.loadFloats(dir.resolve("f.npy"))).isEqualTo(features);
    assertThat(ArrayReader.loadBytes(dir.resolve("u.npy"))).isEqualTo(labels);
    assertThat(ArrayReader.loadLongs(dir.resolve("i.npy"))).isEqualTo(indices);
  }

  @Test
  void roundTripsScalarsAndHighRanks() throws IOException {
    final FloatData scalar = new FloatData(Shape.scalar(), new float[] {3.25f});
    final FloatData rank4 = new FloatData(Shape.of(1, 2, 1, 3), new float[] {1, 2, 3, 4, 5, 6});
    NpyWriter.write(dir.resolve("s.npy"), scalar);
    NpyWriter.write(dir.resolve("r.npy"), rank4);
    assertThat(ArrayReader.loadFloats(dir.resolve("s.npy"))).isEqualTo(scalar);
    assertThat(ArrayReader.loadFloats(dir.resolve("r.npy"))).isEqualTo(rank4);
  }

  @Test
  void streamsRowsInBatchesAndReadsThemBackInBatches() throws IOException {
    final Path path = dir.resolve("rows.npy");
    try (NpyWriter out = NpyWriter.create(path, DType.FLOAT32, Shape.of(10, 3))) {
      for (int row = 0; row < 10; row++) {
        out.write(new float[] {row, row + 0.5f, -row}, 0, 3);
      }
    }
    try (NpyReader reader = NpyReader.open(path)) {
      assertThat(reader.readFloats(4)).hasSize(12);
      assertThat(reader.readFloats(4)).startsWith(4f, 4.5f, -4f);
      assertThat(reader.readFloats(4)).containsExactly(8f, 8.5f, -8f, 9f, 9.5f, -9f);
    }
  }

  @Test
  void closingBeforeThePromisedCountLeavesNoFile() throws IOException {
    final NpyWriter out = NpyWriter.create(dir.resolve("short.npy"), DType.INT64, Shape.of(3));
    out.write(new long[] {1, 2}, 0, 2);
    assertThatThrownBy(out::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed after 2 of the 3 elements the header promises (3 int64)");
    assertThat(dir).isEmptyDirectory();
  }
}
