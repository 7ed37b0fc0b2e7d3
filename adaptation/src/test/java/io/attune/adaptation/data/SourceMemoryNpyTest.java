package io.attune.adaptation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.attune.adaptation.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The source-memory bank exported with the Fashion-MNIST ResNet: 2000 penultimate-layer feature
 * rows of 128 floats and their labels. Skipped while the export has not been committed yet.
 */
class SourceMemoryNpyTest {

  private static final Path MEMORY =
      RepoRoot.find().resolve("models").resolve("fmnist-resnet").resolve("source-memory");
  private static final Path FEATURES = MEMORY.resolve("features.npy");
  private static final Path LABELS = MEMORY.resolve("labels.npy");

  @Test
  void readsTheFeatureBankAsTwoThousandFiniteRowsOf128Floats() throws IOException {
    assumeTrue(Files.exists(FEATURES), FEATURES + " is not there yet");
    try (NpyReader features = NpyReader.open(FEATURES)) {
      assertThat(features.header().dtype()).isEqualTo(DType.FLOAT32);
      assertThat(features.shape()).isEqualTo(Shape.of(2000, 128));
      final float[] batch = new float[100 * 128];
      while (features.hasNext()) {
        final int rows = features.readInto(batch, 0, 100);
        for (int i = 0; i < rows * 128; i++) {
          assertThat(Float.isFinite(batch[i])).as("element %d is finite", i).isTrue();
        }
      }
    }
  }

  @Test
  void readsTheLabelsAsTwoThousandClassesPairedWithTheFeatures() throws IOException {
    assumeTrue(Files.exists(FEATURES) && Files.exists(LABELS),
        FEATURES + " or " + LABELS + " is not there yet");
    try (LabeledReader memory = LabeledReader.open(FEATURES, LABELS)) {
      assertThat(memory.labels().dtype()).isEqualTo(DType.UINT8);
      assertThat(memory.count()).isEqualTo(2000);
      final LabeledBatch all = memory.readAll();
      assertThat(Arrays.stream(all.labels().data()).boxed().toList()).allSatisfy(
          label -> assertThat(label).isBetween(0L, 9L));
      assertThat(all.images().shape()).isEqualTo(Shape.of(2000, 128));
    }
  }
}
