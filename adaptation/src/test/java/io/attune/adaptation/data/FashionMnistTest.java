package io.attune.adaptation.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.RepoRoot;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Fashion-MNIST test split shipped in {@code data/fashion-mnist}, read as it is shipped. */
class FashionMnistTest {

  /**
   * Computed independently of this code with NumPy 1.24.2:
   * {@code np.frombuffer(gzip.open('t10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16)
   * .reshape(-1, 28, 28)[0].astype(np.int64).sum()}.
   */
  private static final long FIRST_IMAGE_PIXEL_SUM = 33_456;
  /** Same NumPy one-off, {@code images.astype(np.int64).sum()} over all 10000 images. */
  private static final long ALL_PIXELS_SUM = 573_469_082;
  /** Class 9 of Fashion-MNIST is "Ankle boot"; NumPy gives labels[:10] = 9 2 1 1 6 1 4 6 5 7. */
  private static final long[] FIRST_LABELS = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};

  private static final Path DIR = RepoRoot.find().resolve("data").resolve("fashion-mnist");
  private static final Path IMAGES = DIR.resolve("t10k-images-idx3-ubyte.gz");
  private static final Path LABELS = DIR.resolve("t10k-labels-idx1-ubyte.gz");

  @Test
  void streamsTheTenThousandTestImagesInBatchesWithoutHoldingThem() throws IOException {
    long total = 0;
    long firstImage = 0;
    try (IdxReader images = IdxReader.open(IMAGES)) {
      assertThat(images.header()).isEqualTo(new IdxHeader(DType.UINT8, Shape.of(10000, 28, 28)));
      final byte[] batch = new byte[256 * 784];
      while (images.hasNext()) {
        final boolean first = images.position() == 0;
        final int read = images.readInto(batch, 0, 256);
        total += sum(batch, read * 784);
        firstImage = first ? sum(batch, 784) : firstImage;
      }
      assertThat(images.position()).isEqualTo(10000);
    }
    assertThat(firstImage).isEqualTo(FIRST_IMAGE_PIXEL_SUM);
    assertThat(total).isEqualTo(ALL_PIXELS_SUM);
  }

  @Test
  void loadsTheLabelsWithExactlyOneThousandPerClass() throws IOException {
    final ByteData labels = ArrayReader.loadBytes(LABELS);
    assertThat(labels.shape()).isEqualTo(Shape.of(10000));
    final int[] perClass = new int[10];
    for (int i = 0; i < labels.items(); i++) {
      assertThat(labels.valueAt(i)).isBetween(0, 9);
      perClass[labels.valueAt(i)]++;
    }
    assertThat(perClass).containsOnly(1000);
    for (int i = 0; i < FIRST_LABELS.length; i++) {
      assertThat(labels.valueAt(i)).isEqualTo(FIRST_LABELS[i]);
    }
  }

  @Test
  void pairsImagesWithLabelsAndLoadsThemWhole() throws IOException {
    try (LabeledReader test = LabeledReader.open(IMAGES, LABELS)) {
      assertThat(test.count()).isEqualTo(10000);
      final LabeledBatch all = test.readAll();
      assertThat(all.images().shape()).isEqualTo(Shape.of(10000, 28, 28));
      assertThat(all.labels().data()[0]).isEqualTo(9);
      double firstImage = 0;
      for (final float pixel : all.images().item(0)) {
        firstImage += pixel;
      }
      assertThat(firstImage).isEqualTo(FIRST_IMAGE_PIXEL_SUM);
    }
  }

  private static long sum(final byte[] pixels, final int length) {
    long sum = 0;
    for (int i = 0; i < length; i++) {
      sum += Byte.toUnsignedInt(pixels[i]);
    }
    return sum;
  }
}
