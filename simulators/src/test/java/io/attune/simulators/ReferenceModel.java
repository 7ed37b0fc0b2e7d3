package io.attune.simulators;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.eval.Predictions;
import io.attune.adaptation.model.ModelCard;
import io.attune.adaptation.runtime.OnnxClassifier;
import java.nio.file.Path;
import java.util.Arrays;

/** The shipped Fashion-MNIST classifier, one ONNX Runtime thread, scoring raw 8-bit images. */
public final class ReferenceModel implements AutoCloseable {

  private static final int BATCH = 250;

  private final OnnxClassifier classifier;
  private final ModelCard card;

  private ReferenceModel(OnnxClassifier classifier, ModelCard card) {
    this.classifier = classifier;
    this.card = card;
  }

  /** Opens models/fmnist-resnet with a single intra-op thread. */
  public static ReferenceModel open() {
    final Path dir = RepoRoot.find().resolve("models").resolve("fmnist-resnet");
    final ModelCard card = ModelCard.read(dir.resolve("model.json"));
    return new ReferenceModel(OnnxClassifier.open(dir.resolve("model.onnx"), card, 1), card);
  }

  /** Share of the first {@code count} images whose predicted class is their label. */
  public double accuracy(byte[] pixels, int[] labels, int count) {
    final int size = card.sampleSize();
    long correct = 0;
    for (int start = 0; start < count; start += BATCH) {
      final int n = Math.min(BATCH, count - start);
      final byte[] batch = Arrays.copyOfRange(pixels, start * size, (start + n) * size);
      final float[] logits = classifier.logits(card.preprocess(batch, n), n);
      final int[] predicted = Predictions.argmax(logits, n, card.numClasses());
      for (int i = 0; i < n; i++) {
        if (predicted[i] == labels[start + i]) {
          correct++;
        }
      }
    }
    return correct / (double) count;
  }

  @Override
  public void close() {
    classifier.close();
  }
}
