package io.attune.adaptation.method;

/**
 * The sample filters of the entropy methods, on plain row-major arrays so that each can be
 * checked on hand-made vectors: EATA's reliability filter, redundancy filter, moving average of
 * probabilities and re-weighting (Niu et al., ICML 2022, Eqns. 3 to 6), which SAR's reliability
 * filter shares (Niu et al., ICLR 2023, Eqn. 2).
 */
public final class SampleSelection {

  /** Weight of the old moving average in EATA's {@code update_model_probs}. */
  static final float AVERAGE_DECAY = 0.9f;

  private SampleSelection() {}

  /** Reliable samples: {@code H_i < margin} (EATA's and SAR's {@code E_0}), and {@code keep_i}. */
  public static boolean[] reliable(float[] entropies, float margin, boolean[] keep) {
    boolean[] out = new boolean[entropies.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = keep[i] && entropies[i] < margin;
    }
    return out;
  }

  /**
   * EATA's redundancy filter: of the {@code candidates}, those whose probability vector has
   * {@code |cos(p_i, average)| < margin}, i.e. that do not repeat what recent selections
   * already taught.
   *
   * @param probabilities {@code [N, classes]}
   * @param average moving average of earlier selections' probabilities, {@code [classes]}
   */
  public static boolean[] nonRedundant(float[] probabilities, int classes, boolean[] candidates,
      float[] average, float margin) {
    boolean[] out = new boolean[candidates.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = candidates[i]
          && Math.abs(cosine(probabilities, i * classes, average, classes)) < margin;
    }
    return out;
  }

  /**
   * Cosine similarity of row {@code offset / classes} of {@code rows} with {@code v}, with
   * PyTorch's {@code F.cosine_similarity} guard: each norm is clamped below at 1e-8.
   */
  static double cosine(float[] rows, int offset, float[] v, int classes) {
    double dot = 0;
    double a = 0;
    double b = 0;
    for (int c = 0; c < classes; c++) {
      dot += (double) rows[offset + c] * v[c];
      a += (double) rows[offset + c] * rows[offset + c];
      b += (double) v[c] * v[c];
    }
    return dot / (Math.max(Math.sqrt(a), 1e-8) * Math.max(Math.sqrt(b), 1e-8));
  }

  /**
   * EATA's {@code update_model_probs}: the mean probability vector of the {@code selected}
   * samples when there is no average yet, {@code 0.9 * average + 0.1 * mean} after that, and
   * the average unchanged (possibly still null) when nothing is selected.
   *
   * @param average the current average, or null before the first selection
   * @return the new average, or null while nothing has been selected yet
   */
  public static float[] updateAverage(float[] average, float[] probabilities, int classes,
      boolean[] selected) {
    int count = count(selected);
    if (count == 0) {
      return average == null ? null : average.clone();
    }
    double[] mean = new double[classes];
    for (int i = 0; i < selected.length; i++) {
      if (selected[i]) {
        for (int c = 0; c < classes; c++) {
          mean[c] += probabilities[i * classes + c];
        }
      }
    }
    float[] out = new float[classes];
    for (int c = 0; c < classes; c++) {
      float m = (float) (mean[c] / count);
      out[c] = average == null ? m : AVERAGE_DECAY * average[c] + (1 - AVERAGE_DECAY) * m;
    }
    return out;
  }

  /**
   * EATA's loss weights as logit-gradient weights: the loss is
   * {@code mean over selected of w_i * H_i} with {@code w_i = 1 / exp(H_i - E_0)} (treated as a
   * constant, as the official code detaches it), so sample {@code i} gets {@code w_i / |S|}
   * when selected and 0 otherwise.
   */
  public static float[] eataWeights(float[] entropies, boolean[] selected, float margin) {
    int count = count(selected);
    float[] w = new float[entropies.length];
    for (int i = 0; i < w.length; i++) {
      if (selected[i]) {
        w[i] = (float) (1 / Math.exp(entropies[i] - margin) / count);
      }
    }
    return w;
  }

  /** {@code 1 / |S|} on the selected samples, 0 elsewhere: the gradient weights of a mean. */
  public static float[] meanWeights(boolean[] selected) {
    int count = count(selected);
    float[] w = new float[selected.length];
    for (int i = 0; i < w.length; i++) {
      if (selected[i]) {
        w[i] = 1f / count;
      }
    }
    return w;
  }

  /** Number of true flags. */
  public static int count(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      if (f) {
        n++;
      }
    }
    return n;
  }

  /** Elementwise {@code a && b}. */
  public static boolean[] and(boolean[] a, boolean[] b) {
    boolean[] out = new boolean[a.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = a[i] && b[i];
    }
    return out;
  }

  /** Mean of the {@code selected} values; NaN when none is selected. */
  static double selectedMean(float[] values, boolean[] selected) {
    double s = 0;
    int n = 0;
    for (int i = 0; i < values.length; i++) {
      if (selected[i]) {
        s += values[i];
        n++;
      }
    }
    return n == 0 ? Double.NaN : s / n;
  }
}
