package io.attune.adaptation.data;

import static io.attune.adaptation.data.TestBytes.gzip;
import static io.attune.adaptation.data.TestBytes.idx;
import static io.attune.adaptation.data.TestBytes.ramp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledReaderTest {

  @TempDir
  Path dir;

  private Path file(final String name, final byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  @Test
  void readsImagesWithTheirLabelsInStep() throws IOException {
    final Path images = file("images.gz", gzip(idx(0x08, new int[] {5, 2, 2}, ramp(20))));
    final Path labels = file("labels.gz", gzip(idx(0x08, new int[] {5}, new byte[] {9, 2, 1, 1, 6})));
    try (LabeledReader pair = LabeledReader.open(images, labels)) {
      assertThat(pair.count()).isEqualTo(5);
      final LabeledBatch first = pair.readBatch(3);
      assertThat(first.size()).isEqualTo(3);
      assertThat(first.images().shape()).isEqualTo(Shape.of(3, 2, 2));
      assertThat(first.images().item(1)).containsExactly(4, 5, 6, 7);
      assertThat(first.labels().data()).containsExactly(9, 2, 1);
      final LabeledBatch rest = pair.readBatch(3);
      assertThat(rest.labels().data()).containsExactly(1, 6);
      assertThat(rest.images().item(1)).containsExactly(16, 17, 18, 19);
      assertThat(pair.hasNext()).isFalse();
    }
  }

  @Test
  void pairsNpyFeaturesWithNpyLabels() throws IOException {
    final Path features = dir.resolve("features.npy");
    final Path labels = dir.resolve("labels.npy");
    NpyWriter.write(features, new FloatData(Shape.of(3, 2), new float[] {1, 2, 3, 4, 5, 6}));
    NpyWriter.write(labels, new LongData(Shape.of(3), new long[] {7, 8, 9}));
    try (LabeledReader pair = LabeledReader.open(features, labels)) {
      final LabeledBatch all = pair.readAll();
      assertThat(all.images().data()).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(all.labels().data()).containsExactly(7, 8, 9);
    }
  }

  @Test
  void refusesAPairWhoseCountsDiffer() throws IOException {
    final Path images = file("t10k-images", idx(0x08, new int[] {10, 2, 2}, new byte[40]));
    final Path labels = file("t10k-labels", idx(0x08, new int[] {9}, new byte[9]));
    assertThatThrownBy(() -> LabeledReader.open(images, labels))
        .isInstanceOf(MalformedDataException.class)
        .hasMessage(labels + ": count mismatch: holds 9 labels, but " + images
            + " holds 10 images (10 x 2 x 2)");
  }

  @Test
  void refusesLabelsThatAreNotOneDimensionalIntegers() throws IOException {
    final Path images = file("images", idx(0x08, new int[] {2, 2}, new byte[4]));
    final Path matrix = file("matrix", idx(0x08, new int[] {2, 1}, new byte[2]));
    final Path floats = file("floats", idx(0x0D, new int[] {2}, new byte[8]));
    assertThatThrownBy(() -> LabeledReader.open(images, matrix))
        .hasMessage(matrix + ": labels must be a 1-d integer array, found 2 x 1 uint8");
    assertThatThrownBy(() -> LabeledReader.open(images, floats))
        .hasMessage(floats + ": labels must be a 1-d integer array, found 2 float32");
  }

  @Test
  void reportsAMalformedLabelsFileByItsOwnName() throws IOException {
    final Path images = file("images", idx(0x08, new int[] {2, 2}, new byte[4]));
    final Path labels = file("labels", new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> LabeledReader.open(images, labels))
        .isInstanceOf(MalformedDataException.class)
        .hasMessageStartingWith(labels + ": unknown format");
  }
}
