package io.attune.adaptation.method;

/**
 * The pieces of ROID's objective on row-major logits {@code [N, classes]}, each with its
 * gradient, as {@code methods/roid.py} and {@code utils/losses.py} of the official code
 * compute them.
 */
public final class RoidLoss {

  /** {@code SoftLikelihoodRatio}'s clip of the probabilities. */
  static final double SLR_CLIP = 0.99;
  /** {@code SoftLikelihoodRatio}'s epsilon inside the log. */
  static final double SLR_EPS = 1e-5;
  /** {@code SymmetricCrossEntropy}'s alpha. */
  static final double SCE_ALPHA = 0.5;

  private RoidLoss() {}

  /**
   * The sample weights and mask.
   *
   * @param keep whether sample i enters the loss ({@code ~mask})
   * @param weights {@code exp(div_i * cert_i / T)}, 0 where not kept
   */
  public record Weights(boolean[] keep, float[] weights) {}

  /**
   * Diversity and certainty weighting: {@code div_i = 1 - cos(pbar, p_i)} and
   * {@code cert_i = -H_i}, each min-max normalized over the batch; samples with
   * {@code div_i < mean(div)} are masked out, the others weigh {@code exp(div_i cert_i / T)}.
   * Where a batch has a single distinct value (one sample), the official code divides 0 by 0;
   * here the normalized value is 0, so such a sample is kept with weight 1.
   *
   * @param average {@code pbar}, the moving average of the batch-mean probabilities
   */
  public static Weights weights(float[] probabilities, float[] entropies, int n, int classes,
      float[] average, double temperature) {
    double[] div = new double[n];
    double[] cert = new double[n];
    double normAvg = 0;
    for (float a : average) {
      normAvg += (double) a * a;
    }
    normAvg = Math.sqrt(normAvg);
    for (int i = 0; i < n; i++) {
      double dot = 0;
      double norm = 0;
      for (int c = 0; c < classes; c++) {
        double p = probabilities[i * classes + c];
        dot += p * average[c];
        norm += p * p;
      }
      // F.cosine_similarity clamps each norm at eps = 1e-8
      div[i] = 1 - dot / (Math.max(Math.sqrt(norm), 1e-8) * Math.max(normAvg, 1e-8));
      cert[i] = -entropies[i];
    }
    minMax(div);
    minMax(cert);
    double mean = 0;
    for (double d : div) {
      mean += d;
    }
    mean /= n;
    boolean[] keep = new boolean[n];
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      keep[i] = !(div[i] < mean);
      w[i] = keep[i] ? (float) Math.exp(div[i] * cert[i] / temperature) : 0f;
    }
    return new Weights(keep, w);
  }

  private static void minMax(double[] v) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 0;
    }
  }

  /**
   * Soft likelihood ratio per sample:
   * {@code -sum_c p_c log(p_c / (1 - p_c) + 1e-5)}, with {@code p} clipped to [0, 0.99].
   */
  public static float[] softLikelihoodRatio(float[] probabilities, int n, int classes) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int c = 0; c < classes; c++) {
        double p = Math.min(probabilities[i * classes + c], SLR_CLIP);
        s -= p * Math.log(p / (1 - p) + SLR_EPS);
      }
      out[i] = (float) s;
    }
    return out;
  }

  /**
   * Gradient with respect to the logits of {@code sum_i w_i SLR_i}. Through the clip a
   * probability above 0.99 passes no gradient; through the softmax
   * {@code dz_j = p_j (g_j - sum_c p_c g_c)} with {@code g = dSLR/dp}.
   */
  public static float[] softLikelihoodRatioGradient(float[] probabilities, int n, int classes,
      float[] weights) {
    float[] grad = new float[n * classes];
    double[] g = new double[classes];
    for (int i = 0; i < n; i++) {
      if (weights[i] == 0) {
        continue;
      }
      double dot = 0;
      for (int c = 0; c < classes; c++) {
        double p = probabilities[i * classes + c];
        if (p > SLR_CLIP) {
          g[c] = 0;
        } else {
          double q = 1 - p;
          double r = p / q + SLR_EPS;
          g[c] = -(Math.log(r) + p / (r * q * q));
        }
        dot += p * g[c];
      }
      for (int c = 0; c < classes; c++) {
        double p = probabilities[i * classes + c];
        grad[i * classes + c] = (float) (weights[i] * p * (g[c] - dot));
      }
    }
    return grad;
  }

  /**
   * Symmetric cross-entropy per sample between augmented logits {@code x} and the originals
   * {@code e}: {@code -(1-a) sum softmax(e) log_softmax(x) - a sum softmax(x) log_softmax(e)},
   * {@code a = 0.5}.
   */
  public static float[] symmetricCrossEntropy(float[] x, float[] e, int n, int classes) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double[] lx = logSoftmax(x, i, classes);
      double[] le = logSoftmax(e, i, classes);
      double s = 0;
      for (int c = 0; c < classes; c++) {
        s -= (1 - SCE_ALPHA) * Math.exp(le[c]) * lx[c] + SCE_ALPHA * Math.exp(lx[c]) * le[c];
      }
      out[i] = (float) s;
    }
    return out;
  }

  /**
   * Gradients of {@code sum_i w_i SCE_i(x_i, e_i)} with respect to both arguments (the
   * official code does not detach the originals).
   *
   * @return {@code [dx, de]}, each {@code [N, classes]}
   */
  public static float[][] symmetricCrossEntropyGradient(float[] x, float[] e, int n,
      int classes, float[] weights) {
    float[] dx = new float[n * classes];
    float[] de = new float[n * classes];
    double a = SCE_ALPHA;
    for (int i = 0; i < n; i++) {
      double[] lx = logSoftmax(x, i, classes);
      double[] le = logSoftmax(e, i, classes);
      double qLogP = 0;
      double pLogQ = 0;
      for (int c = 0; c < classes; c++) {
        qLogP += Math.exp(le[c]) * lx[c];
        pLogQ += Math.exp(lx[c]) * le[c];
      }
      for (int c = 0; c < classes; c++) {
        double p = Math.exp(lx[c]);
        double q = Math.exp(le[c]);
        // -(1-a) sum q log p: d/dx = (1-a)(p - q), d/de = -(1-a) q (log p - sum q log p)
        // -a sum p log q:     d/dx = -a p (log q - sum p log q), d/de = a (q - p)
        dx[i * classes + c] = (float) (weights[i] * ((1 - a) * (p - q) - a * p * (le[c] - pLogQ)));
        de[i * classes + c] = (float) (weights[i] * (-(1 - a) * q * (lx[c] - qLogP) + a * (q - p)));
      }
    }
    return new float[][] {dx, de};
  }

  private static double[] logSoftmax(float[] z, int row, int classes) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      max = Math.max(max, z[row * classes + c]);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      sum += Math.exp(z[row * classes + c] - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[classes];
    for (int c = 0; c < classes; c++) {
      out[c] = z[row * classes + c] - log;
    }
    return out;
  }

  /**
   * ROID's smoothed prior: {@code pi = mean_i p_i}, {@code s = max(1/N, 1/C) / max(pi)},
   * {@code pi' = (pi + s) / (1 + s C)}.
   */
  public static float[] smoothedPrior(float[] probabilities, int n, int classes) {
    double[] prior = new double[classes];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < classes; c++) {
        prior[c] += probabilities[i * classes + c];
      }
    }
    double max = 0;
    for (int c = 0; c < classes; c++) {
      prior[c] /= n;
      max = Math.max(max, prior[c]);
    }
    double smooth = Math.max(1.0 / n, 1.0 / classes) / max;
    float[] out = new float[classes];
    for (int c = 0; c < classes; c++) {
      out[c] = (float) ((prior[c] + smooth) / (1 + smooth * classes));
    }
    return out;
  }
}
