package io.attune.topology;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.data.LabeledReader;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Traffic records made from the shipped Fashion-MNIST test split. */
final class TrafficFixtures {

  static final String MODEL = "fmnist";

  private TrafficFixtures() {}

  /**
   * The first {@code count} test images of a cohort, with Gaussian pixel noise of standard
   * deviation {@code sigma} (0..255 units), labels attached for evaluation.
   */
  static List<InferenceSample> samples(String cohort, int count, double sigma, long seed) {
    return samples(cohort, 0, count, sigma, seed);
  }

  /** Like {@link #samples(String, int, double, long)}, from test image {@code from} on. */
  static List<InferenceSample> samples(String cohort, int from, int count, double sigma,
      long seed) {
    List<InferenceSample> out = new ArrayList<>();
    Random noise = new Random(seed);
    try (LabeledReader reader = LabeledReader.open(ReferenceModel.testImages(),
        ReferenceModel.testLabels())) {
      reader.images().readBytes(from);
      reader.labels().readLongs(from);
      byte[] pixels = reader.images().readBytes(count);
      long[] labels = reader.labels().readLongs(count);
      for (int i = 0; i < count; i++) {
        byte[] image = Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784);
        for (int p = 0; p < image.length && sigma > 0; p++) {
          image[p] = (byte) Math.max(0, Math.min(255,
              (image[p] & 0xFF) + Math.round(sigma * noise.nextGaussian())));
        }
        out.add(sample(cohort, cohort + "-" + (from + i), image, (int) labels[i]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static InferenceSample sample(String cohort, String id, byte[] pixels, Integer label) {
    return InferenceSample.newBuilder()
        .setModel(MODEL)
        .setCohort(cohort)
        .setSampleId(id)
        .setDevice("device-1")
        .setInput(Tensor.newBuilder().setDtype(DType.UINT8).setShape(List.of(1, 28, 28))
            .setData(ByteBuffer.wrap(pixels)).build())
        .setLabel(label)
        .build();
  }
}
