package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.bundle.ClassStatistics;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CAFA's loss on hand-made features: hand-computed values and finite differences. */
class ClassAwareAlignmentTest {

  @Test
  void classStatisticsAreTheClassMeansAndBiasedCovariancesAndTheirPool() {
    // class 0: (0, 0), (2, 0); class 1: (0, 1), (0, 3)
    ClassStatistics s = ClassStatistics.compute(new float[] {0, 0, 0, 1, 2, 0, 0, 3},
        new long[] {0, 1, 0, 1}, 2, 2);

    assertThat(s.means()).containsExactly(1, 0, 0, 2);
    assertThat(s.covariances()).containsExactly(1, 0, 0, 0, /* class 1 */ 0, 0, 0, 1);
    assertThat(s.shared()).containsExactly(0.5f, 0, 0, 0.5f);
  }

  @Test
  void aClassWithoutSamplesOrALabelOutOfRangeIsRefused() {
    assertThatThrownBy(() -> ClassStatistics.compute(new float[] {0, 1}, new long[] {0, 0}, 2,
        1)).hasMessageContaining("class 1 has no source sample");
    assertThatThrownBy(() -> ClassStatistics.compute(new float[] {0, 1}, new long[] {0, 2}, 2,
        1)).hasMessageContaining("label 2 of source sample 1 is outside [0, 2)");
  }

  @Test
  void withIdentityCovariancesTheLossIsTheLogOfTheDistanceShare() {
    // means (0, 0) and (2, 0); f = (1, 1): D_0 = 2, D_1 = 2; f = (2, 1): D_0 = 5, D_1 = 1
    ClassStatistics s = new ClassStatistics(2, 2, new float[] {0, 0, 2, 0},
        new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new float[] {1, 0, 0, 1});
    ClassAwareAlignment a = new ClassAwareAlignment(s, false, 0);
    float[] f = {1, 1, 2, 1};

    assertThat(a.distances(f, 2)).containsExactly(new double[] {2, 2, 5, 1}, within(1e-12));
    assertThat(a.loss(f, 2, new int[] {0, 1}))
        .isCloseTo((Math.log(2.0 / 4) + Math.log(1.0 / 6)) / 2, within(1e-12));
    // dL/df for sample 1, class 1: (1/2)(2 (f - mu_1) / 1 - (2 f + 2 (f - mu_1)) / 6)
    float[] g = a.gradient(f, 2, new int[] {0, 1});
    assertThat(g[2]).isCloseTo((float) (0.5 * (0 - (4 + 0) / 6.0)), within(1e-6f));
    assertThat(g[3]).isCloseTo((float) (0.5 * (2 - (2 + 2) / 6.0)), within(1e-6f));
  }

  @Test
  void theFeatureGradientIsTheLossesFiniteDifference() {
    int classes = 3;
    int dim = 5;
    int n = 4;
    Random r = new Random(3);
    float[] means = new float[classes * dim];
    float[] covs = new float[classes * dim * dim];
    for (int j = 0; j < means.length; j++) {
      means[j] = (float) r.nextGaussian();
    }
    for (int c = 0; c < classes; c++) {
      System.arraycopy(randomSpd(dim, r), 0, covs, c * dim * dim, dim * dim);
    }
    ClassStatistics s = new ClassStatistics(classes, dim, means, covs, randomSpd(dim, r));
    float[] f = new float[n * dim];
    for (int j = 0; j < f.length; j++) {
      f[j] = (float) (2 * r.nextGaussian());
    }
    int[] predicted = {0, 2, 1, 2};

    for (boolean shared : new boolean[] {false, true}) {
      ClassAwareAlignment a = new ClassAwareAlignment(s, shared, 0);
      float[] g = a.gradient(f, n, predicted);
      // central differences with h = 1e-2 on float features: the loss is evaluated in double
      // from the perturbed floats, truncation error O(h^2 * L''') is below 1e-4 here
      float h = 1e-2f;
      for (int j = 0; j < f.length; j++) {
        float[] plus = f.clone();
        float[] minus = f.clone();
        plus[j] += h;
        minus[j] -= h;
        double fd = (a.loss(plus, n, predicted) - a.loss(minus, n, predicted))
            / (plus[j] - minus[j]);
        assertThat((double) g[j]).as("shared %s, feature %d", shared, j)
            .isCloseTo(fd, within(1e-4 + 1e-3 * Math.abs(fd)));
      }
    }
  }

  @Test
  void theInverseTimesTheCovarianceIsTheIdentity() {
    Random r = new Random(5);
    float[] cov = randomSpd(6, r);

    double[] inv = ClassAwareAlignment.invert(cov, 6, 0, "test");

    for (int a = 0; a < 6; a++) {
      for (int b = 0; b < 6; b++) {
        double s = 0;
        for (int k = 0; k < 6; k++) {
          s += cov[a * 6 + k] * inv[k * 6 + b];
        }
        assertThat(s).isCloseTo(a == b ? 1 : 0, within(1e-5));
      }
    }
  }

  @Test
  void aSingularCovarianceIsRefusedUnlessRidged() {
    float[] singular = {1, 1, 1, 1};
    assertThatThrownBy(() -> ClassAwareAlignment.invert(singular, 2, 0, "the covariance of "
        + "class 4")).hasMessageContaining("the covariance of class 4 is not positive definite")
        .hasMessageContaining("ridge");
    double[] inv = ClassAwareAlignment.invert(singular, 2, 0.1, "x");
    // (C + 0.1 I)^-1 with tr(C)/2 = 1: [[1.1, 1], [1, 1.1]]^-1 = [[1.1, -1], [-1, 1.1]] / 0.21
    assertThat(inv).containsExactly(new double[] {1.1 / 0.21, -1 / 0.21, -1 / 0.21, 1.1 / 0.21},
        within(1e-5));
  }

  @Test
  void badCafaConfigsAreRefusedWithEveryProblemNamed() {
    assertThatThrownBy(() -> new Cafa.Config(null, false, 1f, 0f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cafa: optimizer is missing")
        .hasMessageContaining("ridge must be in [0, 1), got 1.0")
        .hasMessageContaining("statsMomentum must be in (0, 1], got 0.0");
    assertThat(Cafa.Config.defaults().optimizer())
        .isEqualTo(io.attune.adaptation.method.optim.Adam.withLearningRate(1e-3f));
  }

  private static float[] randomSpd(int dim, Random r) {
    double[] a = new double[dim * dim];
    for (int j = 0; j < a.length; j++) {
      a[j] = r.nextGaussian();
    }
    float[] out = new float[dim * dim];
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        double s = i == j ? 0.5 : 0;
        for (int k = 0; k < dim; k++) {
          s += a[i * dim + k] * a[j * dim + k] / dim;
        }
        out[i * dim + j] = (float) s;
      }
    }
    return out;
  }
}
