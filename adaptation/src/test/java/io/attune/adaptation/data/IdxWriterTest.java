package io.attune.adaptation.data;

import static io.attune.adaptation.data.TestBytes.idx;
import static io.attune.adaptation.data.TestBytes.ramp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxWriterTest {

  @TempDir
  Path dir;

  @Test
  void writesTheSameBytesAsTheIdxSpec() throws IOException {
    final ByteData images = new ByteData(DType.UINT8, Shape.of(3, 2, 2), ramp(12));
    final Path path = dir.resolve("images.idx");
    IdxWriter.write(path, images, Compression.NONE);
    assertThat(Files.readAllBytes(path)).containsExactly(idx(0x08, new int[] {3, 2, 2}, ramp(12)));
  }

  @Test
  void writesFloat32BigEndian() throws IOException {
    final FloatData data = new FloatData(Shape.of(2, 2), new float[] {1f, -0.5f, 3e9f, 0f});
    final Path path = dir.resolve("floats.idx");
    IdxWriter.write(path, data, Compression.NONE);
    assertThat(Files.readAllBytes(path)).containsExactly(idx(0x0D, new int[] {2, 2},
        TestBytes.floats(ByteOrder.BIG_ENDIAN, 1f, -0.5f, 3e9f, 0f)));
  }

  @Test
  void gzipOutputIsAGzipOfThePlainFile() throws IOException {
    final ByteData labels = new ByteData(DType.UINT8, Shape.of(10), ramp(10));
    IdxWriter.write(dir.resolve("plain"), labels, Compression.NONE);
    IdxWriter.write(dir.resolve("zipped"), labels, Compression.GZIP);
    try (GZIPInputStream unzipped = new GZIPInputStream(
        Files.newInputStream(dir.resolve("zipped")))) {
      assertThat(unzipped.readAllBytes()).containsExactly(Files.readAllBytes(dir.resolve("plain")));
    }
  }

  @Test
  void roundTripsUbyteImagesThroughTheReaderPlainAndGzipped() throws IOException {
    final ByteData images = new ByteData(DType.UINT8, Shape.of(50, 28, 28), ramp(50 * 784));
    for (final Compression compression : Compression.values()) {
      final Path path = dir.resolve("images-" + compression);
      IdxWriter.write(path, images, compression);
      assertThat(ArrayReader.loadBytes(path)).isEqualTo(images);
    }
  }

  @Test
  void roundTripsFloat32WrittenInPiecesOfAnySize() throws IOException {
    final float[] values = new float[3 * 40_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(i);
    }
    final Path path = dir.resolve("shifted.idx.gz");
    try (IdxWriter out = IdxWriter.create(path, DType.FLOAT32, Shape.of(3, 40_000),
        Compression.GZIP)) {
      out.write(values, 0, 7);
      out.write(values, 7, values.length - 7);
      assertThat(out.written()).isEqualTo(values.length);
    }
    assertThat(ArrayReader.loadFloats(path).data()).containsExactly(values);
  }

  @Test
  void roundTripsInt32FromLongs() throws IOException {
    final Path path = dir.resolve("ints");
    try (IdxWriter out = IdxWriter.create(path, DType.INT32, Shape.of(3), Compression.NONE)) {
      out.write(new long[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, 0, 3);
    }
    assertThat(ArrayReader.loadLongs(path).data())
        .containsExactly(Integer.MIN_VALUE, 0, Integer.MAX_VALUE);
  }

  @Test
  void closingBeforeThePromisedCountLeavesNoFile() throws IOException {
    final Path path = dir.resolve("short");
    final IdxWriter out = IdxWriter.create(path, DType.UINT8, Shape.of(4, 2), Compression.GZIP);
    out.write(new byte[5], 0, 5);
    assertThatThrownBy(out::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(path + ": closed after 5 of the 8 elements the header promises");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void refusesToWriteMoreThanThePromisedCount() throws IOException {
    final Path path = dir.resolve("long");
    try (IdxWriter out = IdxWriter.create(path, DType.UINT8, Shape.of(2), Compression.NONE)) {
      assertThatThrownBy(() -> out.write(new byte[3], 0, 3))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("writing 3 more elements after 0 would pass the 2");
      out.write(new byte[2], 0, 2);
    }
    assertThat(Files.size(path)).isEqualTo(4 + 4 + 2);
  }

  @Test
  void refusesValuesOutsideTheType() throws IOException {
    try (IdxWriter out = IdxWriter.create(dir.resolve("u8"), DType.INT16, Shape.of(2),
        Compression.NONE)) {
      assertThatThrownBy(() -> out.write(new long[] {1, 40_000}, 0, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("value 40000 at index 1 does not fit int16");
      out.write(new long[] {1, 2}, 0, 2);
    }
  }

  @Test
  void refusesElementsOfTheWrongKind() throws IOException {
    try (IdxWriter out = IdxWriter.create(dir.resolve("f"), DType.FLOAT32, Shape.of(1),
        Compression.NONE)) {
      assertThatThrownBy(() -> out.write(new byte[1], 0, 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("a float32 array cannot be written from bytes");
      out.write(new float[1], 0, 1);
    }
  }

  @Test
  void refusesInt64WhichIdxCannotExpress() {
    assertThatThrownBy(() -> IdxWriter.create(dir.resolve("x"), DType.INT64, Shape.of(1),
        Compression.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IDX has no type byte for int64");
  }
}
