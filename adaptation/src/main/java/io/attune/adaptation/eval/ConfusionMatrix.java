package io.attune.adaptation.eval;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs; accuracy and per-class recall derive from it.
 * Mutable while counting, copied when read.
 */
public final class ConfusionMatrix {

  private final int classes;
  private final long[] counts;

  public ConfusionMatrix(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("need at least one class, got " + classes);
    }
    this.classes = classes;
    this.counts = new long[classes * classes];
  }

  /**
   * Adds one prediction.
   *
   * @throws IllegalArgumentException if a class index is outside {@code [0, classes)}
   */
  public void add(int trueClass, int predictedClass) {
    if (trueClass < 0 || trueClass >= classes || predictedClass < 0 || predictedClass >= classes) {
      throw new IllegalArgumentException("class index out of [0, " + classes + "): true "
          + trueClass + ", predicted " + predictedClass);
    }
    counts[trueClass * classes + predictedClass]++;
  }

  public int classes() {
    return classes;
  }

  public long total() {
    return Arrays.stream(counts).sum();
  }

  public long correct() {
    long correct = 0;
    for (int c = 0; c < classes; c++) {
      correct += counts[c * classes + c];
    }
    return correct;
  }

  /** Fraction of correct predictions, NaN when nothing was counted. */
  public double accuracy() {
    long total = total();
    return total == 0 ? Double.NaN : (double) correct() / total;
  }

  /** Recall of one class: the fraction of its samples predicted as it, NaN if it has none. */
  public double recall(int trueClass) {
    long row = 0;
    for (int p = 0; p < classes; p++) {
      row += counts[trueClass * classes + p];
    }
    return row == 0 ? Double.NaN : (double) counts[trueClass * classes + trueClass] / row;
  }

  public long count(int trueClass, int predictedClass) {
    return counts[trueClass * classes + predictedClass];
  }
}
