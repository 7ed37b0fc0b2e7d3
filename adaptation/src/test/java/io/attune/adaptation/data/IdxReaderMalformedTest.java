package io.attune.adaptation.data;

import static io.attune.adaptation.data.TestBytes.gzip;
import static io.attune.adaptation.data.TestBytes.idx;
import static io.attune.adaptation.data.TestBytes.ramp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderMalformedTest {

  @TempDir
  Path dir;

  private Path file(final String name, final byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertMalformed(
      final Path file, final ThrowingOpen action) {
    return assertThatThrownBy(action::run)
        .isInstanceOf(MalformedDataException.class)
        .hasMessageStartingWith(file + ": ")
        .satisfies(e -> assertThat(((MalformedDataException) e).file()).isEqualTo(file));
  }

  private interface ThrowingOpen {
    void run() throws IOException;
  }

  private static void loadAll(final Path path) throws IOException {
    try (ArrayReader reader = IdxReader.open(path)) {
      reader.readAllBytes();
    }
  }

  @Test
  void refusesBadMagic() throws IOException {
    final Path path = file("npy-ish", new byte[] {(byte) 0x93, 'N', 8, 1, 0, 0, 0, 1, 5});
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("bad magic: IDX starts with 0x00 0x00, found 0x93 0x4e 0x08 0x01");
  }

  @Test
  void refusesAnUnknownTypeByte() throws IOException {
    final Path path = file("t", idx(0x07, new int[] {1}, new byte[] {1}));
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("unknown element type byte 0x07");
  }

  @Test
  void refusesAFileTooShortForThePreamble() throws IOException {
    final Path path = file("short", new byte[] {0, 0, 8});
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("truncated header: IDX starts with 4 bytes (magic, type, rank),"
            + " file has 3");
  }

  @Test
  void refusesAHeaderCutInsideTheDimensions() throws IOException {
    final byte[] whole = idx(0x08, new int[] {10, 28, 28}, new byte[0]);
    final Path path = file("cut", gzip(Arrays.copyOf(whole, 9)));
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("truncated header: rank 3 needs 16 header bytes, file has 9");
  }

  @Test
  void refusesPlainDataShorterThanTheHeaderPromisesOnOpen() throws IOException {
    final Path path = file("t10k-images", idx(0x08, new int[] {10, 28, 28}, new byte[123]));
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("truncated data: header promises 10 x 28 x 28 uint8 = 7840 bytes,"
            + " file ends after 123 bytes of data");
  }

  @Test
  void reportsGzippedDataShorterThanTheHeaderPromisesWhenItRunsOut() throws IOException {
    final Path path = file("t10k-images.gz", gzip(idx(0x08, new int[] {10, 28, 28},
        ramp(3 * 784 + 5))));
    try (IdxReader reader = IdxReader.open(path)) {
      assertThat(reader.readBytes(3)).hasSize(3 * 784);
      assertMalformed(path, () -> reader.readBytes(3))
          .hasMessageContaining("truncated data: header promises 10 x 28 x 28 uint8 = 7840 bytes,"
              + " file ends after 2357 bytes of data");
    }
  }

  @Test
  void reportsAGzipStreamCutShortAsTruncatedData() throws IOException {
    final byte[] zipped = gzip(idx(0x0D, new int[] {1000}, ramp(4000)));
    final Path path = file("cut.gz", Arrays.copyOf(zipped, zipped.length / 2));
    assertMalformed(path, () -> ArrayReader.loadFloats(path))
        .hasMessageContaining("truncated data: header promises 1000 float32 = 4000 bytes, file"
            + " ends after");
  }


  @Test
  void reportsCorruptGzipData() throws IOException {
    final byte[] zipped = gzip(idx(0x08, new int[] {4000}, ramp(4000)));
    for (int i = 12; i < zipped.length - 8; i++) {
      zipped[i] = (byte) 0xff;
    }
    final Path path = file("corrupt.gz", zipped);
    assertMalformed(path, () -> loadAll(path)).hasMessageContaining("corrupt gzip");
  }

  @Test
  void refusesAGzipFileWithNothingAfterTheMagic() throws IOException {
    final Path path = file("stub.gz", new byte[] {0x1f, (byte) 0x8b});
    assertMalformed(path, () -> IdxReader.open(path)).hasMessageContaining("corrupt gzip header");
  }

  @Test
  void refusesPlainTrailingBytesOnOpen() throws IOException {
    final Path path = file("long", idx(0x08, new int[] {2, 2}, new byte[6]));
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("trailing data: header promises 2 x 2 uint8 = 4 bytes, file has 6"
            + " bytes of data");
  }

  @Test
  void reportsGzippedTrailingBytesAfterTheLastItem() throws IOException {
    final Path path = file("long.gz", gzip(idx(0x08, new int[] {2, 2}, new byte[6])));
    assertMalformed(path, () -> loadAll(path))
        .hasMessageContaining("trailing data: header promises 2 x 2 uint8 = 4 bytes, file has"
            + " more bytes after them");
  }

  @Test
  void refusesANegativeDimension() throws IOException {
    final Path path = file("neg", idx(0x08, new int[] {-5, 28}, new byte[0]));
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("dimension 0 is 0xfffffffb (-5 as signed int32, 4294967291"
            + " unsigned)");
  }

  @Test
  void refusesAPlainHeaderClaimingTwoBillionItemsBeforeReadingData() throws IOException {
    final Path path = file("huge", idx(0x08, new int[] {Integer.MAX_VALUE, 28, 28}, new byte[784]));
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("header promises 2147483647 x 28 x 28 uint8 = 1683627179248 bytes,"
            + " file ends after 784 bytes of data");
  }

  @Test
  void refusesToLoadAGzippedHeaderClaimingMoreThanAnArrayHolds() throws IOException {
    final Path path = file("huge.gz", gzip(idx(0x08, new int[] {Integer.MAX_VALUE, 28, 28},
        new byte[784])));
    assertMalformed(path, () -> loadAll(path))
        .hasMessageContaining("too large to load: 2147483647 x 28 x 28 uint8 is 1683627179248"
            + " elements");
  }

  @Test
  void loadingAGzippedHeaderThatOverstatesTheDataFailsWithoutAllocatingThePromise()
      throws IOException {
    // Promises 2 GB - 9 bytes; if readAll trusted it, this would need a 2 GB array.
    final Path path = file("liar.gz", gzip(idx(0x08, new int[] {Integer.MAX_VALUE - 9},
        new byte[100])));
    assertMalformed(path, () -> loadAll(path))
        .hasMessageContaining("truncated data: header promises 2147483638 uint8 = 2147483638"
            + " bytes, file ends after 100 bytes of data");
  }

  @Test
  void refusesDimensionsWhoseProductOverflows() throws IOException {
    final int big = Integer.MAX_VALUE;
    final Path path = file("overflow", idx(0x08, new int[] {big, big, big}, new byte[0]));
    assertMalformed(path, () -> IdxReader.open(path)).hasMessageContaining("absurd shape");
  }

  @Test
  void refusesAnItemLargerThanAnArray() throws IOException {
    final Path path = file("fat.gz", gzip(idx(0x0D, new int[] {1, 65536, 65536}, new byte[0])));
    assertMalformed(path, () -> IdxReader.open(path))
        .hasMessageContaining("absurd shape: one item of 1 x 65536 x 65536 float32 is"
            + " 17179869184 bytes");
  }

  @Test
  void refusesReadingFloatsAsBytes() throws IOException {
    final Path path = file("floats", idx(0x0D, new int[] {1}, new byte[4]));
    try (IdxReader reader = IdxReader.open(path)) {
      assertMalformed(path, () -> reader.readBytes(1))
          .hasMessageContaining("holds float32 elements, which cannot be read as bytes");
      assertMalformed(path, () -> reader.readLongs(1))
          .hasMessageContaining("cannot be read as longs");
    }
  }

  @Test
  void refusesAnEmptyFile() throws IOException {
    final Path path = file("nothing", new byte[0]);
    assertMalformed(path, () -> IdxReader.open(path)).hasMessageContaining("file has 0");
    assertMalformed(path, () -> ArrayReader.open(path))
        .hasMessageContaining("unknown format: expected IDX magic 0x00 0x00 or NPY magic"
            + " \\x93NUMPY, found an empty file");
  }
}
