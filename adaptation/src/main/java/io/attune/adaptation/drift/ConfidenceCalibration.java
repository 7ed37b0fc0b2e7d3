package io.attune.adaptation.drift;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.SourceImages;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Re-measures, on a few labelled source images, how the adapted model's confidence relates to
 * its accuracy, so that its ATC estimate follows the model as it adapts.
 *
 * <p>Why: ATC's threshold is fitted once, on the source model, so that the share of clean
 * predictions below it equals the source model's accuracy. Entropy minimization (TENT and its
 * kin) sharpens every prediction as it adapts, so the adapted model's share of confident
 * predictions grows faster than its accuracy and ATC overestimates it (by 4.4 pp on average over
 * the severity-5 domains of the reference model, docs/drift.md). Running the adapted model in
 * its current state over labelled source images measures that drift of calibration directly:
 * {@code ratio = accuracy / share below the threshold} on those images, 1 for the model the
 * threshold was fitted on, below 1 for a sharpened one. The estimate on traffic is the ATC
 * share times the ratio. The images are the source's, not the traffic's, so no label of the
 * traffic is used; the state the method returns on them is dropped, so they never adapt it.
 *
 * <p>Cost: one {@link AdaptationMethod#predict} over {@link #count()} images every
 * {@link DriftMonitor.Config#recalibrateEvery()} batches (128 every 16 batches of 64: an eighth
 * of the traffic's samples, once per 1,024); for TENT a forward without backward.
 */
public final class ConfidenceCalibration {

  private final float[] images;
  private final int[] labels;
  private final int count;
  private final int classes;
  private final double threshold;

  /**
   * @param images {@code count} preprocessed samples, flattened
   * @param labels their classes
   * @param classes classes of the model
   * @param threshold the ATC threshold of the reference, nats
   */
  public ConfidenceCalibration(float[] images, int[] labels, int classes, double threshold) {
    if (labels.length < 1 || images.length % labels.length != 0) {
      throw new IllegalArgumentException(images.length + " values are not " + labels.length
          + " calibration images of equal size");
    }
    for (int y : labels) {
      if (y < 0 || y >= classes) {
        throw new IllegalArgumentException("calibration label " + y + " is not one of the "
            + classes + " classes");
      }
    }
    this.images = images.clone();
    this.labels = labels.clone();
    this.count = labels.length;
    this.classes = classes;
    this.threshold = threshold;
  }

  /**
   * {@code count} of the reference's labelled images, evenly spaced over them (the source
   * images keep no order worth following, and spacing avoids any run of one class).
   */
  public static ConfidenceCalibration of(SourceImages images, int[] labels, int count,
      DriftReference reference) {
    int n = Math.min(count, images.count());
    int size = images.sampleSize();
    float[] picked = new float[n * size];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int from = (int) ((long) i * images.count() / n);
      System.arraycopy(images.slice(from, 1), 0, picked, i * size, size);
      y[i] = labels[from];
    }
    return new ConfidenceCalibration(picked, y, reference.classes(),
        reference.entropyThreshold());
  }

  /**
   * {@link #of} the bundle's source images and their labels ({@code labels} when given, else
   * the bundle's), as {@link DriftReference#calibrate(ModelBundle, AdaptationMethod, Optional)}
   * reads them.
   */
  public static ConfidenceCalibration load(ModelBundle bundle, DriftReference reference,
      Optional<Path> labels, int count) {
    SourceImages images = SourceImages.load(bundle, "drift calibration");
    return of(images, DriftReference.labels(bundle, labels, images.count()), count, reference);
  }

  public int count() {
    return count;
  }

  /**
   * Accuracy over the share of confident predictions, for probabilities of the calibration
   * images ({@code count x classes}); NaN when none is confident, which leaves the previous
   * ratio in force.
   */
  public double ratio(float[] probabilities) {
    if (probabilities.length != count * classes) {
      throw new IllegalArgumentException(probabilities.length + " probabilities for "
          + count + " calibration images of " + classes + " classes");
    }
    int correct = 0;
    int confident = 0;
    for (int i = 0; i < count; i++) {
      correct += Probabilities.argmax(probabilities, i, classes) == labels[i] ? 1 : 0;
      confident += Probabilities.entropy(probabilities, i, classes) < threshold ? 1 : 0;
    }
    return confident == 0 ? Double.NaN : correct / (double) confident;
  }

  /** The ratio of {@code method} in {@code state}, which it leaves as it is. */
  public double measure(AdaptationMethod method, MethodState state) {
    return ratio(method.predict(state, new Batch(images, count)).probabilities());
  }
}
