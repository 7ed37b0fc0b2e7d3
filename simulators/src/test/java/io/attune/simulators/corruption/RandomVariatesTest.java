package io.attune.simulators.corruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RandomVariatesTest {

  private static final int DRAWS = 100_000;

  @ParameterizedTest
  @ValueSource(doubles = {0.3, 4, 9.99, 10, 40, 250})
  void poissonHasMeanAndVarianceLambda(double lambda) {
    final SplittableRandom random = new SplittableRandom(1);
    double sum = 0;
    double squares = 0;
    for (int i = 0; i < DRAWS; i++) {
      final int k = RandomVariates.poisson(random, lambda);
      sum += k;
      squares += (double) k * k;
    }
    final double mean = sum / DRAWS;

    // Five standard errors of the mean, and about five of the variance.
    assertThat(mean).isCloseTo(lambda, within(5 * Math.sqrt(lambda / DRAWS)));
    assertThat(squares / DRAWS - mean * mean)
        .isCloseTo(lambda, within(5 * lambda * Math.sqrt(2.0 / DRAWS) + 0.01));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.05, 0.1, 1, 3.5})
  void gammaVariatesHaveMeanShape(double shape) {
    final SplittableRandom random = new SplittableRandom(2);
    double sum = 0;
    for (int i = 0; i < DRAWS; i++) {
      sum += Math.exp(RandomVariates.logGamma(random, shape));
    }

    assertThat(sum / DRAWS).isCloseTo(shape, within(5 * Math.sqrt(shape / DRAWS)));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 5, 20, 170})
  void logFactorialMatchesTheProduct(int k) {
    double exact = 0;
    for (int i = 2; i <= k; i++) {
      exact += Math.log(i);
    }

    assertThat(RandomVariates.logFactorial(k)).isCloseTo(exact, within(1e-9 * (1 + exact)));
  }
}
