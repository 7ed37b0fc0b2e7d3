package io.attune.simulators.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.data.Compression;
import io.attune.adaptation.data.FloatData;
import io.attune.adaptation.data.IdxWriter;
import io.attune.adaptation.data.LongData;
import io.attune.adaptation.data.MalformedDataException;
import io.attune.adaptation.data.NpyWriter;
import io.attune.adaptation.data.Shape;
import io.attune.simulators.FashionMnist;
import io.attune.simulators.corruption.ImageShape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledImagesTest {

  @Test
  void readsTheShippedTestSplit() {
    final LabeledImages test = FashionMnist.test();

    assertThat(test.count()).isEqualTo(10_000);
    assertThat(test.shape()).isEqualTo(ImageShape.gray(28, 28));
    assertThat(test.classes()).isEqualTo(10);
    assertThat(test.labels()).startsWith(9, 2, 1, 1, 6);
  }

  @Test
  void floatImagesAreRejectedNamingTheFile(@TempDir Path dir) throws Exception {
    final Path images = dir.resolve("images.idx");
    final Path labels = dir.resolve("labels.npy");
    IdxWriter.write(images, new FloatData(Shape.of(2, 4, 4), new float[32]), Compression.NONE);
    NpyWriter.write(labels, new LongData(Shape.of(2), new long[] {0, 1}));

    assertThatThrownBy(() -> LabeledImages.read(images, labels))
        .isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("images.idx").hasMessageContaining("uint8 pixels, got float32");
  }

  @Test
  void negativeLabelsAreRejectedNamingTheIndex(@TempDir Path dir) throws Exception {
    final Path images = dir.resolve("images.npy");
    final Path labels = dir.resolve("labels.npy");
    NpyWriter.write(images, new io.attune.adaptation.data.ByteData(
        io.attune.adaptation.data.DType.UINT8, Shape.of(2, 3, 4, 4), new byte[96]));
    NpyWriter.write(labels, new LongData(Shape.of(2), new long[] {0, -1}));

    assertThatThrownBy(() -> LabeledImages.read(images, labels))
        .hasMessageContaining("labels.npy").hasMessageContaining("label 1 is -1");
  }

  @Test
  void sizesMustAgree() {
    assertThatThrownBy(() -> new LabeledImages(ImageShape.gray(2, 2), new byte[7], new int[2]))
        .hasMessage("2 labels need 2 images of 1 x 2 x 2 (8 bytes), got 7 bytes");
  }
}
