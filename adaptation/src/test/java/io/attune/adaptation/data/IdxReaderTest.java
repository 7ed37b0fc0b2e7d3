package io.attune.adaptation.data;

import static io.attune.adaptation.data.TestBytes.gzip;
import static io.attune.adaptation.data.TestBytes.idx;
import static io.attune.adaptation.data.TestBytes.ramp;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  @TempDir
  Path dir;

  private Path file(final String name, final byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  @Test
  void readsPlainUbyteImagesInBatches() throws IOException {
    final byte[] pixels = ramp(5 * 3 * 2);
    try (IdxReader reader = IdxReader.open(file("images", idx(0x08, new int[] {5, 3, 2}, pixels)))) {
      assertThat(reader.header()).isEqualTo(new IdxHeader(DType.UINT8, Shape.of(5, 3, 2)));
      assertThat(reader.itemCount()).isEqualTo(5);
      assertThat(reader.itemElements()).isEqualTo(6);

      assertThat(reader.readBytes(2)).containsExactly(Arrays.copyOfRange(pixels, 0, 12));
      assertThat(reader.position()).isEqualTo(2);
      assertThat(reader.readBytes(2)).containsExactly(Arrays.copyOfRange(pixels, 12, 24));
      assertThat(reader.readBytes(2)).containsExactly(Arrays.copyOfRange(pixels, 24, 30));
      assertThat(reader.hasNext()).isFalse();
      assertThat(reader.readBytes(2)).isEmpty();
    }
  }

  @Test
  void readsGzippedUbyteImagesInBatches() throws IOException {
    final byte[] pixels = ramp(4 * 28 * 28);
    final Path gz = file("images.bin", gzip(idx(0x08, new int[] {4, 28, 28}, pixels)));
    try (IdxReader reader = IdxReader.open(gz)) {
      final byte[] batch = new byte[3 * 784];
      assertThat(reader.readInto(batch, 0, 3)).isEqualTo(3);
      assertThat(batch).containsExactly(Arrays.copyOfRange(pixels, 0, 3 * 784));
      assertThat(reader.readInto(batch, 0, 3)).isEqualTo(1);
      assertThat(Arrays.copyOf(batch, 784)).containsExactly(Arrays.copyOfRange(pixels, 2352, 3136));
    }
  }

  @Test
  void gzippedAndPlainFilesReadTheSame() throws IOException {
    final byte[] content = idx(0x08, new int[] {7, 5, 3}, ramp(105));
    final ByteData plain = ArrayReader.loadBytes(file("plain.gz", content));
    final ByteData zipped = ArrayReader.loadBytes(file("zipped.idx", gzip(content)));
    assertThat(zipped).isEqualTo(plain);
    assertThat(plain.shape()).isEqualTo(Shape.of(7, 5, 3));
  }

  @Test
  void readsUbyteLabelsAsUnsignedNumbers() throws IOException {
    final byte[] labels = {9, 0, (byte) 200, 3};
    try (IdxReader reader = IdxReader.open(file("labels", idx(0x08, new int[] {4}, labels)))) {
      assertThat(reader.readLongs(10)).containsExactly(9, 0, 200, 3);
    }
    final ByteData all = ArrayReader.loadBytes(dir.resolve("labels"));
    assertThat(all.valueAt(2)).isEqualTo(200);
    assertThat(all.items()).isEqualTo(4);
  }

  @Test
  void readsUbytePixelsAsUnscaledFloats() throws IOException {
    final byte[] pixels = {0, 1, (byte) 128, (byte) 255};
    final FloatData all = ArrayReader.loadFloats(file("px", idx(0x08, new int[] {1, 2, 2}, pixels)));
    assertThat(all.data()).containsExactly(0f, 1f, 128f, 255f);
    assertThat(all.shape()).isEqualTo(Shape.of(1, 2, 2));
  }

  @Test
  void readsFloat32BigEndianItems() throws IOException {
    final float[] values = {0.5f, -1.25f, 3e-8f, Float.MAX_VALUE, -0f, 7f};
    final Path path = file("f", idx(0x0D, new int[] {3, 2}, TestBytes.floats(BIG_ENDIAN, values)));
    try (IdxReader reader = IdxReader.open(path)) {
      assertThat(reader.dtype()).isEqualTo(DType.FLOAT32);
      assertThat(reader.readFloats(1)).containsExactly(0.5f, -1.25f);
      assertThat(reader.readAllFloats())
          .isEqualTo(new FloatData(Shape.of(2, 2), new float[] {3e-8f, Float.MAX_VALUE, -0f, 7f}));
    }
  }

  @Test
  void readsSignedByteShortIntAndDoubleElements() throws IOException {
    assertThat(ArrayReader.loadLongs(file("i8", idx(0x09, new int[] {3},
        new byte[] {-128, -1, 127}))).data()).containsExactly(-128, -1, 127);
    assertThat(ArrayReader.loadLongs(file("i16", idx(0x0B, new int[] {2},
        TestBytes.shorts(BIG_ENDIAN, (short) -300, (short) 32767)))).data())
        .containsExactly(-300, 32767);
    assertThat(ArrayReader.loadLongs(file("i32", idx(0x0C, new int[] {2},
        TestBytes.ints(BIG_ENDIAN, Integer.MIN_VALUE, 70000)))).data())
        .containsExactly(Integer.MIN_VALUE, 70000);
    assertThat(ArrayReader.loadFloats(file("f64", idx(0x0E, new int[] {2},
        TestBytes.doubles(BIG_ENDIAN, 0.1, -2.5)))).data())
        .containsExactly(new float[] {0.1f, -2.5f}, within(0f));
  }

  @Test
  void readsManyChunksOfFloatsAcrossTheInternalBuffer() throws IOException {
    final int count = 50_000;
    final float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = i * 0.5f - 7f;
    }
    final Path path = file("big", gzip(idx(0x0D, new int[] {count / 10, 10},
        TestBytes.floats(BIG_ENDIAN, values))));
    assertThat(ArrayReader.loadFloats(path).data()).containsExactly(values);
  }

  @Test
  void readAllLoadsOnlyTheItemsNotYetRead() throws IOException {
    final Path path = file("labels", idx(0x08, new int[] {5}, new byte[] {1, 2, 3, 4, 5}));
    try (IdxReader reader = IdxReader.open(path)) {
      reader.readBytes(2);
      final ByteData rest = reader.readAllBytes();
      assertThat(rest.shape()).isEqualTo(Shape.of(3));
      assertThat(rest.data()).containsExactly(3, 4, 5);
    }
  }

  @Test
  void readsAFileWithZeroItems() throws IOException {
    try (IdxReader reader = IdxReader.open(file("empty", gzip(idx(0x08, new int[] {0, 28, 28},
        new byte[0]))))) {
      assertThat(reader.hasNext()).isFalse();
      assertThat(reader.readAllBytes().shape()).isEqualTo(Shape.of(0, 28, 28));
    }
  }

  @Test
  void openDetectsIdxWhateverTheFileName() throws IOException {
    final Path path = file("looks-like.npy", gzip(idx(0x08, new int[] {2}, new byte[] {4, 2})));
    try (ArrayReader reader = ArrayReader.open(path)) {
      assertThat(reader).isInstanceOf(IdxReader.class);
      assertThat(reader.readLongs(2)).containsExactly(4, 2);
    }
  }
}
