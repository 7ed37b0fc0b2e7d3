package io.attune.adaptation.method;

import io.attune.adaptation.bundle.ClassStatistics;

/**
 * CAFA's loss on penultimate features (Jung et al., ICCV 2023, Sec. 3): with the squared
 * Mahalanobis distance {@code D_c(f) = (f - mu_c)^T Sigma_c^-1 (f - mu_c)} of a feature to the
 * source Gaussian of class {@code c}, and {@code yhat_i} the class the model predicts,
 * <pre>
 *   L = (1/N) sum_i log( D_{yhat_i}(f_i) / sum_c D_c(f_i) )
 * </pre>
 * The numerator is the intra-class distance to the predicted class, which the loss pulls
 * down; the denominator holds it together with the inter-class distances to every other class,
 * which the loss pushes up. There is no weight between the two terms and no hyperparameter;
 * the pseudo-labels carry no gradient.
 *
 * <p>Gradient: {@code dD_c/df = 2 Sigma_c^-1 (f - mu_c)}, so
 * {@code dL/df_i = (1/N) (dD_yhat/df / D_yhat - sum_c dD_c/df / sum_c D_c)}.
 *
 * <p>The precision matrices are {@code (Sigma_c + r I)^-1} with {@code r = ridge * tr(Sigma_c)
 * / D}, inverted once in double precision by Cholesky; {@code ridge = 0} is the paper's
 * formula, which needs every covariance to be positive definite.
 */
public final class ClassAwareAlignment {

  private final int classes;
  private final int dim;
  private final double[] means;
  /** One {@code [D, D]} precision per class, or a single shared one. */
  private final double[][] precisions;

  /**
   * @param statistics the source statistics from the bundle
   * @param shared use the pooled within-class covariance for every class instead of the
   *     per-class covariances
   * @param ridge relative diagonal loading, >= 0
   * @throws IllegalArgumentException when a (loaded) covariance is not positive definite
   */
  public ClassAwareAlignment(ClassStatistics statistics, boolean shared, double ridge) {
    this.classes = statistics.classes();
    this.dim = statistics.dim();
    this.means = new double[classes * dim];
    float[] mu = statistics.means();
    for (int j = 0; j < means.length; j++) {
      means[j] = mu[j];
    }
    this.precisions = new double[shared ? 1 : classes][];
    for (int c = 0; c < precisions.length; c++) {
      float[] cov = shared ? statistics.shared() : java.util.Arrays.copyOfRange(
          statistics.covariances(), c * dim * dim, (c + 1) * dim * dim);
      precisions[c] = invert(cov, dim, ridge, shared ? "the shared covariance"
          : "the covariance of class " + c);
    }
  }

  public int classes() {
    return classes;
  }

  public int dim() {
    return dim;
  }

  /** Squared Mahalanobis distances {@code [N, classes]} of features {@code [N, D]}. */
  public double[] distances(float[] features, int n) {
    double[] out = new double[n * classes];
    double[] diff = new double[dim];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < classes; c++) {
        difference(features, i, c, diff);
        out[i * classes + c] = quadratic(precision(c), diff);
      }
    }
    return out;
  }

  /** The loss for features {@code [N, D]} and predicted classes {@code [N]}. */
  public double loss(float[] features, int n, int[] predicted) {
    double[] d = distances(features, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double total = 0;
      for (int c = 0; c < classes; c++) {
        total += d[i * classes + c];
      }
      sum += Math.log(d[i * classes + predicted[i]] / total);
    }
    return sum / n;
  }

  /** {@code dL/dfeatures}, {@code [N, D]}. */
  public float[] gradient(float[] features, int n, int[] predicted) {
    float[] grad = new float[n * dim];
    double[] diff = new double[dim];
    double[] towards = new double[dim];
    double[] all = new double[dim];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(all, 0);
      double total = 0;
      double own = 0;
      for (int c = 0; c < classes; c++) {
        difference(features, i, c, diff);
        double[] p = precision(c);
        double dist = 0;
        for (int a = 0; a < dim; a++) {
          double row = 0;
          for (int b = 0; b < dim; b++) {
            row += p[a * dim + b] * diff[b];
          }
          all[a] += 2 * row;
          if (c == predicted[i]) {
            towards[a] = 2 * row;
          }
          dist += diff[a] * row;
        }
        total += dist;
        if (c == predicted[i]) {
          own = dist;
        }
      }
      for (int a = 0; a < dim; a++) {
        grad[i * dim + a] = (float) ((towards[a] / own - all[a] / total) / n);
      }
    }
    return grad;
  }

  private double[] precision(int c) {
    return precisions.length == 1 ? precisions[0] : precisions[c];
  }

  private void difference(float[] features, int i, int c, double[] out) {
    for (int a = 0; a < dim; a++) {
      out[a] = features[i * dim + a] - means[c * dim + a];
    }
  }

  private double quadratic(double[] p, double[] v) {
    double s = 0;
    for (int a = 0; a < dim; a++) {
      double row = 0;
      for (int b = 0; b < dim; b++) {
        row += p[a * dim + b] * v[b];
      }
      s += v[a] * row;
    }
    return s;
  }

  /** {@code (cov + ridge * tr(cov) / D * I)^-1} by Cholesky, in double precision. */
  static double[] invert(float[] cov, int dim, double ridge, String what) {
    double trace = 0;
    for (int a = 0; a < dim; a++) {
      trace += cov[a * dim + a];
    }
    double load = ridge * trace / dim;
    double[] l = new double[dim * dim];
    for (int a = 0; a < dim; a++) {
      for (int b = 0; b <= a; b++) {
        double s = cov[a * dim + b] + (a == b ? load : 0);
        for (int k = 0; k < b; k++) {
          s -= l[a * dim + k] * l[b * dim + k];
        }
        if (a == b) {
          if (!(s > 0)) {
            throw new IllegalArgumentException(what + " is not positive definite (pivot " + s
                + " at dimension " + a + "); raise the cafa ridge above " + ridge);
          }
          l[a * dim + a] = Math.sqrt(s);
        } else {
          l[a * dim + b] = s / l[b * dim + b];
        }
      }
    }
    // inverse of L, lower triangular, then (L^-1)^T L^-1
    double[] li = new double[dim * dim];
    for (int a = 0; a < dim; a++) {
      li[a * dim + a] = 1 / l[a * dim + a];
      for (int b = 0; b < a; b++) {
        double s = 0;
        for (int k = b; k < a; k++) {
          s -= l[a * dim + k] * li[k * dim + b];
        }
        li[a * dim + b] = s / l[a * dim + a];
      }
    }
    double[] inv = new double[dim * dim];
    for (int a = 0; a < dim; a++) {
      for (int b = 0; b <= a; b++) {
        double s = 0;
        for (int k = a; k < dim; k++) {
          s += li[k * dim + a] * li[k * dim + b];
        }
        inv[a * dim + b] = s;
        inv[b * dim + a] = s;
      }
    }
    return inv;
  }
}
