package io.attune.edge;

import java.util.List;

/** Edge predictions as flat arrays, to compare with the worker's outputs. */
final class PredictionArrays {

  private PredictionArrays() {}

  /** The predictions' class probabilities, one row of {@code classes} per prediction. */
  static float[] probabilities(List<Prediction> predictions, int classes) {
    float[] out = new float[predictions.size() * classes];
    for (int i = 0; i < predictions.size(); i++) {
      System.arraycopy(predictions.get(i).probabilities(), 0, out, i * classes, classes);
    }
    return out;
  }

  static float maxAbs(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
