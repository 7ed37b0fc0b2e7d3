package io.attune.adaptation.drift;

/** Row-wise helpers on probabilities {@code [N, classes]}, row-major. */
final class Probabilities {

  private Probabilities() {}

  static int argmax(float[] p, int row, int classes) {
    int base = row * classes;
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (p[base + c] > p[base + best]) {
        best = c;
      }
    }
    return best;
  }

  /** {@code -sum_c p_c ln p_c} of one row, in nats. */
  static double entropy(float[] p, int row, int classes) {
    int base = row * classes;
    double h = 0;
    for (int c = 0; c < classes; c++) {
      double q = p[base + c];
      if (q > 0) {
        h -= q * Math.log(q);
      }
    }
    return h;
  }

  /** {@code H(counts / total) / ln C}: 1 for a uniform histogram, 0 for a single class. */
  static double normalizedEntropy(double[] counts) {
    double total = 0;
    for (double c : counts) {
      total += c;
    }
    if (total <= 0) {
      return Double.NaN;
    }
    double h = 0;
    for (double c : counts) {
      if (c > 0) {
        h -= c / total * Math.log(c / total);
      }
    }
    return h / Math.log(counts.length);
  }

  /** {@code KL(p || q) = sum_c p_c ln(p_c / q_c)}, nats; q must be positive where p is. */
  static double divergence(double[] p, float[] q) {
    double kl = 0;
    for (int c = 0; c < p.length; c++) {
      if (p[c] > 0) {
        kl += p[c] * Math.log(p[c] / q[c]);
      }
    }
    return Math.max(kl, 0);
  }
}
