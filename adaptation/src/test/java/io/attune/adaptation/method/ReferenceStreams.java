package io.attune.adaptation.method;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.model.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** The reference bundle with its clean source images, and labelled streams of its test split. */
final class ReferenceStreams {

  static final Path MODELS = RepoRoot.find().resolve("models/fmnist-resnet");
  static final Path DATA = RepoRoot.find().resolve("data/fashion-mnist");

  private ReferenceStreams() {}

  /**
   * Prepares the reference model into {@code dir}, keeping the 2,000 source images and their
   * features and labels (AdaNPC's source memory, from which prepare also computes the class
   * statistics of CAFA).
   */
  static ModelBundle bundle(Path dir) {
    try {
      ModelCard card = ModelCard.read(MODELS.resolve("model.json"));
      return ModelPreparation.prepare(new ModelPreparation.Options(MODELS.resolve("model.onnx"),
          dir, card, MODELS.resolve("source-memory/features.npy"),
          MODELS.resolve("source-memory/labels.npy"), null,
          MODELS.resolve("source-memory/images.npy")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The first {@code batches * size} test images with Gaussian pixel noise of standard deviation
   * {@code sigma} (in 0..255 units, clipped), seeded; {@code sigma = 0} gives the clean images.
   */
  static List<StreamEvaluation.LabelledBatch> noisy(int batches, int size, double sigma,
      long seed) {
    List<StreamEvaluation.LabelledBatch> stream = new ArrayList<>();
    Random noise = new Random(seed);
    try (LabeledReader reader = LabeledReader.open(DATA.resolve("t10k-images-idx3-ubyte.gz"),
        DATA.resolve("t10k-labels-idx1-ubyte.gz"))) {
      ModelCard card = ModelCard.read(MODELS.resolve("model.json"));
      for (int b = 0; b < batches; b++) {
        byte[] pixels = reader.images().readBytes(size);
        for (int i = 0; i < pixels.length && sigma > 0; i++) {
          pixels[i] = (byte) Math.max(0, Math.min(255,
              (pixels[i] & 0xFF) + Math.round(sigma * noise.nextGaussian())));
        }
        int[] labels = Arrays.stream(reader.labels().readLongs(size))
            .mapToInt(Math::toIntExact).toArray();
        stream.add(new StreamEvaluation.LabelledBatch(card.preprocess(pixels, size), labels,
            new int[size]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return stream;
  }
}
