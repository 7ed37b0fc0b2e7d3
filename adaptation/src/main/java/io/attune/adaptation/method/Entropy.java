package io.attune.adaptation.method;

/**
 * Prediction entropy of row-major logits {@code [N, classes]} and its gradient: the loss TENT
 * minimises and the signal EATA and SAR filter samples by.
 */
public final class Entropy {

  private Entropy() {}

  /** Softmax of each row, computed stably (max subtracted). */
  public static float[] softmax(float[] logits, int rows, int classes) {
    float[] p = new float[logits.length];
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits[base + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        double e = Math.exp(logits[base + c] - max);
        p[base + c] = (float) e;
        sum += e;
      }
      for (int c = 0; c < classes; c++) {
        p[base + c] /= (float) sum;
      }
    }
    return p;
  }

  /** Entropy of each row's softmax, in nats: {@code H_i = -sum_c p_ic log p_ic}. */
  public static float[] perSample(float[] logits, int rows, int classes) {
    float[] p = softmax(logits, rows, classes);
    float[] h = new float[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int c = 0; c < classes; c++) {
        float pc = p[r * classes + c];
        if (pc > 0) {
          s -= pc * Math.log(pc);
        }
      }
      h[r] = (float) s;
    }
    return h;
  }

  /**
   * Gradient of {@code sum_i w_i H_i} with respect to the logits:
   * {@code dH_i/dz_ij = -p_ij (log p_ij + H_i)}. With {@code w_i = 1/N} this is the gradient of
   * TENT's mean entropy.
   */
  public static float[] weightedGradient(float[] logits, int rows, int classes, float[] weights) {
    float[] p = softmax(logits, rows, classes);
    float[] grad = new float[logits.length];
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      double h = 0;
      for (int c = 0; c < classes; c++) {
        float pc = p[base + c];
        if (pc > 0) {
          h -= pc * Math.log(pc);
        }
      }
      for (int c = 0; c < classes; c++) {
        float pc = p[base + c];
        double logp = pc > 0 ? Math.log(pc) : 0;
        grad[base + c] = (float) (-weights[r] * pc * (logp + h));
      }
    }
    return grad;
  }

  /** Gradient of the mean entropy over the batch (TENT's loss). */
  public static float[] meanGradient(float[] logits, int rows, int classes) {
    float[] w = new float[rows];
    java.util.Arrays.fill(w, 1f / rows);
    return weightedGradient(logits, rows, classes, w);
  }
}
