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

  @Test
  void aStratifiedSubsetTakesEqualSharesOfEveryClassInSourceOrder() {
    final LabeledImages test = FashionMnist.test();

    final LabeledImages subset = test.stratified(2_003);

    assertThat(subset.count()).isEqualTo(2_003);
    final int[] perClass = new int[10];
    for (int label : subset.labels()) {
      perClass[label]++;
    }
    assertThat(perClass).containsExactly(201, 201, 201, 200, 200, 200, 200, 200, 200, 200);
    // Source order: the first images of the split are kept, in their order.
    assertThat(subset.labels()).startsWith(9, 2, 1, 1, 6);
    final byte[] first = new byte[784];
    test.copyImage(0, first, 0);
    final byte[] kept = new byte[784];
    subset.copyImage(0, kept, 0);
    assertThat(kept).isEqualTo(first);
  }

  @Test
  void aStratifiedSubsetFillsUpFromOtherClassesWhenOneRunsShort() {
    final LabeledImages images = new LabeledImages(ImageShape.gray(1, 1),
        new byte[] {0, 1, 2, 3, 4, 5}, new int[] {0, 1, 1, 1, 1, 1});

    final LabeledImages subset = images.stratified(4);

    assertThat(subset.labels()).containsExactly(0, 1, 1, 1);
    assertThat(subset.pixels()).containsExactly(0, 1, 2, 3);
    assertThat(images.stratified(10)).isEqualTo(images);
    assertThatThrownBy(() -> images.stratified(-1))
        .hasMessage("a subset needs 0 or more images, got -1");
  }
}
