package io.attune.simulators.corruption;

import java.util.SplittableRandom;

/**
 * Samplers the JDK lacks: Poisson and the logarithm of a gamma variate. Exact algorithms, so
 * shot noise and Dirichlet label shift have the distributions their papers assume.
 */
public final class RandomVariates {

  private static final double[] LANCZOS = {
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
      -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
      1.5056327351493116e-7};

  private RandomVariates() {}

  /**
   * A Poisson variate of mean {@code lambda}: Knuth's multiplication method below 10, Hörmann's
   * transformed rejection (PTRS, 1993) above, which needs a constant number of draws on average.
   */
  public static int poisson(SplittableRandom random, double lambda) {
    if (lambda <= 0) {
      return 0;
    }
    return lambda < 10 ? poissonByMultiplication(random, lambda) : poissonPtrs(random, lambda);
  }

  /**
   * The natural logarithm of a Gamma({@code shape}, 1) variate (Marsaglia and Tsang, 2000, with
   * the {@code U^(1/shape)} boost below shape 1). Logarithms, because for the small shapes of a
   * Dirichlet label shift (0.01 to 0.1) the variate itself underflows to zero.
   */
  public static double logGamma(SplittableRandom random, double shape) {
    if (!(shape > 0)) {
      throw new IllegalArgumentException("gamma shape must be positive, got " + shape);
    }
    if (shape < 1) {
      return logGamma(random, shape + 1) + Math.log(1 - random.nextDouble()) / shape;
    }
    final double d = shape - 1.0 / 3;
    final double c = 1 / Math.sqrt(9 * d);
    while (true) {
      final double x = random.nextGaussian();
      final double v0 = 1 + c * x;
      if (v0 <= 0) {
        continue;
      }
      final double v = v0 * v0 * v0;
      final double u = 1 - random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return Math.log(d * v);
      }
    }
  }

  private static int poissonByMultiplication(SplittableRandom random, double lambda) {
    final double limit = Math.exp(-lambda);
    int k = 0;
    double product = random.nextDouble();
    while (product > limit) {
      k++;
      product *= random.nextDouble();
    }
    return k;
  }

  private static int poissonPtrs(SplittableRandom random, double lambda) {
    final double logLambda = Math.log(lambda);
    final double b = 0.931 + 2.53 * Math.sqrt(lambda);
    final double a = -0.059 + 0.02483 * b;
    final double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    final double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      final double u = random.nextDouble() - 0.5;
      final double v = random.nextDouble();
      final double us = 0.5 - Math.abs(u);
      final long k = (long) Math.floor((2 * a / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) {
        return (int) k;
      }
      if (k < 0 || us < 0.013 && v > us) {
        continue;
      }
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b)
          <= -lambda + k * logLambda - logFactorial(k)) {
        return (int) k;
      }
    }
  }

  /** {@code ln(k!)} through the Lanczos approximation of the gamma function (g = 7). */
  static double logFactorial(long k) {
    final double x = k;
    double sum = LANCZOS[0];
    for (int i = 1; i < LANCZOS.length; i++) {
      sum += LANCZOS[i] / (x + i);
    }
    final double t = x + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
  }
}
