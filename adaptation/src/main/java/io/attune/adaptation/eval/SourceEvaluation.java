package io.attune.adaptation.eval;

import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.data.MalformedDataException;
import io.attune.adaptation.runtime.OnnxClassifier;
import java.io.IOException;
import java.util.function.LongConsumer;

/** Accuracy of a classifier as it is, without adaptation, over a labelled image set. */
public final class SourceEvaluation {

  private SourceEvaluation() {}

  /**
   * Classifies every remaining image of {@code data}, {@code batchSize} at a time, and counts the
   * outcomes. Images are raw 8-bit pixels; the classifier's card preprocesses them.
   *
   * @param progress told the number of images classified so far after each batch
   * @throws MalformedDataException if the images do not have the model's input size
   */
  public static ConfusionMatrix run(OnnxClassifier classifier, LabeledReader data, int batchSize,
      LongConsumer progress) throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    int sampleSize = classifier.card().sampleSize();
    if (data.images().itemElements() != sampleSize) {
      throw new MalformedDataException(data.images().file(), "images of shape "
          + data.images().shape() + " do not fit the model's input "
          + classifier.card().inputShape());
    }
    int classes = classifier.card().numClasses();
    ConfusionMatrix confusion = new ConfusionMatrix(classes);
    long seen = 0;
    while (data.hasNext()) {
      byte[] pixels = data.images().readBytes(batchSize);
      long[] labels = data.labels().readLongs(batchSize);
      int count = labels.length;
      float[] input = classifier.card().preprocess(pixels, count);
      int[] predicted = Predictions.argmax(classifier.logits(input, count), count, classes);
      for (int i = 0; i < count; i++) {
        // A negative label marks an out-of-distribution sample (open-set streams): no class
        // to be right or wrong about.
        if (labels[i] >= 0) {
          confusion.add(Math.toIntExact(labels[i]), predicted[i]);
        }
      }
      seen += count;
      progress.accept(seen);
    }
    return confusion;
  }
}
