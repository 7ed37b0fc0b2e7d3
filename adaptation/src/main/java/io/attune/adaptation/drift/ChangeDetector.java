package io.attune.adaptation.drift;

import io.attune.adaptation.method.ConfigProblems;
import java.util.Arrays;

/**
 * A one-sided CUSUM change detector with a warm-up baseline and a second CUSUM for the way
 * back, so that one change gives one {@link Transition#RAISED} and one
 * {@link Transition#RESOLVED}, a pure function {@code (state, value) -> (state', transition)}
 * like the adaptation methods.
 *
 * <ol>
 *   <li>Warm-up: the first {@code warmup} values give the baseline: their mean {@code mu} and
 *       the upper 90% confidence limit of their standard deviation {@code sigma} (at least
 *       {@code minSigma}), because a warm-up that happened to be calm would otherwise make
 *       ordinary noise look like a shift: of 20 values, the sample deviation is below 0.78 of
 *       the true one time in ten. No alarm is possible.
 *   <li>Watching: {@code z = clip((x - mu) / sigma, -clip, clip)},
 *       {@code S <- max(0, S + z - slack)}; RAISED when {@code S > raiseThreshold}.
 *   <li>Alarm: {@code R <- max(0, R + resolveSlack - z)}: evidence that the level is back below
 *       {@code resolveSlack} standard deviations above the baseline; RESOLVED when
 *       {@code R > resolveThreshold}, and both sums restart from 0.
 * </ol>
 *
 * <p>Why CUSUM and not Page-Hinkley or ADWIN: the pre-change distribution is known here (the
 * cohort's own first batches, or clean traffic), and CUSUM is the detector that is optimal for
 * a known baseline and a minimum shift of {@code 2 slack} standard deviations (Lorden;
 * Moustakides 1986); its parameters read directly as "shift worth detecting" and "evidence
 * needed", with delay about {@code raiseThreshold / (shift - slack)} batches. Page-Hinkley
 * compares with the running mean of everything seen, which absorbs a persistent shift (and so
 * has nothing to resolve against); ADWIN keeps a variable window of buckets and reports a change
 * in either direction without saying which level is normal. The clip keeps one outlying batch
 * from raising an alarm on its own ({@code clip - slack < raiseThreshold}), and the gap between
 * {@code slack} and {@code resolveSlack} is the hysteresis: a steady level between the two keeps
 * whatever state the detector is in, so it cannot flap; a noisy one near the band can cross it
 * only after a run of evidence, one CUSUM threshold's worth each way.
 */
public final class ChangeDetector {

  /**
   * @param warmup values that make the baseline, >= 2
   * @param slack {@code k}, in baseline standard deviations, > 0: half the smallest shift worth
   *     raising for
   * @param raiseThreshold {@code h}, > 0
   * @param resolveSlack level, in standard deviations above the baseline, under which values
   *     count as recovered; at most {@code slack}
   * @param resolveThreshold evidence needed to resolve, > 0
   * @param clip largest |z| a single value contributes, > slack
   * @param minSigma floor of the baseline's standard deviation, > 0, in the value's units
   */
  public record Config(int warmup, double slack, double raiseThreshold, double resolveSlack,
      double resolveThreshold, double clip, double minSigma) {
    public Config {
      new ConfigProblems("detector")
          .require(warmup >= 2, "warmup must be >= 2 values, got " + warmup)
          .require(slack > 0, "slack must be > 0, got " + slack)
          .require(raiseThreshold > 0, "raiseThreshold must be > 0, got " + raiseThreshold)
          .require(resolveSlack <= slack, "resolveSlack must be <= slack (" + slack
              + ") or a level between them would flap, got " + resolveSlack)
          .require(resolveThreshold > 0, "resolveThreshold must be > 0, got "
              + resolveThreshold)
          .require(clip > slack, "clip must be > slack (" + slack + "), got " + clip)
          .require(minSigma > 0, "minSigma must be > 0, got " + minSigma)
          .throwIfAny();
    }
  }

  /** Where the detector is in its lifecycle. */
  public enum Phase { WARMING_UP, WATCHING, ALARM }

  /** A change of lifecycle. */
  public enum Transition { RAISED, RESOLVED }

  /**
   * @param phase lifecycle phase
   * @param warmupValues the values seen so far while warming up (empty afterwards)
   * @param baseline {@code mu}; NaN while warming up
   * @param sigma {@code sigma}; NaN while warming up
   * @param raiseSum {@code S}
   * @param resolveSum {@code R}
   * @param values values seen (NaN values are skipped and not counted)
   * @param alarmSince index (0-based, in values seen) of the value that raised the open alarm;
   *     -1 when none is open
   */
  public record State(Phase phase, double[] warmupValues, double baseline, double sigma,
      double raiseSum, double resolveSum, long values, long alarmSince) {
    public State {
      warmupValues = warmupValues.clone();
    }

    @Override
    public double[] warmupValues() {
      return warmupValues.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s && phase == s.phase
          && Arrays.equals(warmupValues, s.warmupValues)
          && Double.compare(baseline, s.baseline) == 0 && Double.compare(sigma, s.sigma) == 0
          && Double.compare(raiseSum, s.raiseSum) == 0
          && Double.compare(resolveSum, s.resolveSum) == 0 && values == s.values
          && alarmSince == s.alarmSince;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(phase, Arrays.hashCode(warmupValues), baseline, sigma,
          raiseSum, resolveSum, values, alarmSince);
    }
  }

  /**
   * One update's result.
   *
   * @param state the next state
   * @param transition what changed, or null
   * @param z the value's clipped standardized distance from the baseline (NaN while warming up)
   */
  public record Step(State state, Transition transition, double z) {}

  private final Config config;

  public ChangeDetector(Config config) {
    this.config = config;
  }

  public Config config() {
    return config;
  }

  /** A detector that has seen nothing. */
  public State initialState() {
    return new State(Phase.WARMING_UP, new double[0], Double.NaN, Double.NaN, 0, 0, 0, -1);
  }

  /** Feeds one value; NaN (a signal that could not be measured) leaves the state unchanged. */
  public Step update(State state, double value) {
    if (Double.isNaN(value)) {
      return new Step(state, null, Double.NaN);
    }
    if (state.phase() == Phase.WARMING_UP) {
      return new Step(warmUp(state, value), null, Double.NaN);
    }
    double z = Math.max(-config.clip(), Math.min(config.clip(),
        (value - state.baseline()) / state.sigma()));
    long index = state.values();
    if (state.phase() == Phase.WATCHING) {
      double s = Math.max(0, state.raiseSum() + z - config.slack());
      boolean raise = s > config.raiseThreshold();
      return new Step(new State(raise ? Phase.ALARM : Phase.WATCHING, new double[0],
          state.baseline(), state.sigma(), s, 0, index + 1, raise ? index : -1),
          raise ? Transition.RAISED : null, z);
    }
    double r = Math.max(0, state.resolveSum() + config.resolveSlack() - z);
    boolean resolve = r > config.resolveThreshold();
    return new Step(new State(resolve ? Phase.WATCHING : Phase.ALARM, new double[0],
        state.baseline(), state.sigma(), resolve ? 0 : state.raiseSum(), resolve ? 0 : r,
        index + 1, resolve ? -1 : state.alarmSince()), resolve ? Transition.RESOLVED : null, z);
  }

  private State warmUp(State state, double value) {
    double[] seen = Arrays.copyOf(state.warmupValues(), state.warmupValues().length + 1);
    seen[seen.length - 1] = value;
    if (seen.length < config.warmup()) {
      return new State(Phase.WARMING_UP, seen, Double.NaN, Double.NaN, 0, 0,
          state.values() + 1, -1);
    }
    double mean = Arrays.stream(seen).average().orElseThrow();
    double ss = Arrays.stream(seen).map(v -> (v - mean) * (v - mean)).sum();
    double sd = Math.sqrt(ss / (seen.length - 1)) * upperLimitFactor(seen.length - 1);
    return new State(Phase.WATCHING, new double[0], mean, Math.max(sd, config.minSigma()), 0, 0,
        state.values() + 1, -1);
  }

  /**
   * {@code sqrt(nu / chi2_0.1(nu))}: the sample deviation of {@code nu + 1} values times this is
   * the upper 90% confidence limit of the true deviation (chi-square quantile by the
   * Wilson-Hilferty approximation, within 1% for {@code nu >= 5}).
   */
  static double upperLimitFactor(int nu) {
    double a = 2.0 / (9 * nu);
    double q = nu * Math.pow(1 - a - 1.2815516 * Math.sqrt(a), 3);
    return Math.sqrt(nu / q);
  }
}
