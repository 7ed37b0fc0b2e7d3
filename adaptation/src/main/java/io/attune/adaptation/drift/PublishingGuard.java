package io.attune.adaptation.drift;

import io.attune.adaptation.method.ConfigProblems;
import java.util.Arrays;

/**
 * Decides whether adapted parameters may reach the edges, from signals a collapsed model cannot
 * fake, pooled over a window of recent batches (exponentially weighted, half-life
 * {@code halfLife} batches):
 * <ul>
 *   <li><b>each model's own accuracy estimate</b>: ATC of the adapted model on its own
 *       confidence against ATC of the source model on its own (both with the threshold of
 *       {@link DriftReference}), pooled over the window; it reverts when the adapted estimate is
 *       below the source's by more than {@code estimateMargin} and resumes when the gap is back
 *       within {@code estimateResume}. This is issue 10's rule literally. It catches what
 *       batch-statistics adaptation does on a class-sorted stream: normalizing a batch of one
 *       class with its own statistics removes what tells the classes apart, so the adapted
 *       model becomes unsure as well as wrong, while the frozen source stays sure of the class
 *       it sees; the gap opens in the first batches of a class, where the agreement check below
 *       waits for the pooled agreement. Like that check it is judged only on non-i.i.d. batches
 *       (the gate below): on i.i.d. batches a gap in own confidence says less about accuracy
 *       than about which samples arrived. Devices that upload only what CEMA's filter selects
 *       send the samples on which the model they run is neither unsure nor certain, so
 *       whichever model the edges run looks the surer one; once reverted, the edges run the
 *       source, its count stays the higher, and the revert holds itself (the demo's defocus
 *       cohort, reverted at its third batch by a gap of 16.5 pp while the label-free estimates
 *       said adapted 76.7% against the source's 61.4%). A collapsed model is confident,
 *       so this check alone cannot guard a collapse; the diversity check does. On healthy data
 *       the adapted model is at least as sure as the source (under a corruption, surer), and
 *       on clean data the pooled gap varies by about a point, so 5 pp is several deviations.
 *       It is judged once {@code minSamples} (weighted) samples are in the window.
 *   <li><b>agreement with the source where the source is sure, when batches are not
 *       i.i.d.</b>: of the samples whose source prediction is confident (entropy below the ATC
 *       threshold), the share on which the adapted model predicts the same class. This is the
 *       "adapted estimate not below the source's by more than a margin" rule with the frozen
 *       source model as the judge: judged by the source's confidence, the adapted model's ATC
 *       estimate over the source's is exactly this share, so {@code 1 - agreementFloor} is the
 *       margin. A collapsed model is confidently wrong, so its own confidence says nothing; the
 *       source's confidence does not move with it. It is judged only on non-i.i.d. batches:
 *       while the source's predicted class mixture changes from batch to batch
 *       ({@code mixing}, the moving average of the KL divergence of each batch's
 *       source-predicted classes from the window's, above {@code mixingFloor}), or while
 *       batches hold few classes ({@code concentration}, the batch's
 *       {@link DriftSignals#classDivergence()}, held at its recent peak and decaying with the
 *       window, above {@code concentrationFloor}). That is the stream (class-sorted, bursty) on
 *       which
 *       batch-statistics adaptation is known to fail (LAME, Boudiaf et al. CVPR 2022; NOTE,
 *       Gong et al. NeurIPS 2022) and the source is the better reference. On i.i.d. batches
 *       under a heavy covariate shift the source is confidently wrong instead: healthy TENT on
 *       the reference model agrees with only 38% of its confident predictions on
 *       {@code contrast:5}, where TENT is 82% accurate and the source 29%.
 *   <li><b>class diversity</b>: the normalized entropy of the adapted model's pooled predicted
 *       classes relative to the source model's over the same batches, so that a stream that
 *       really holds few classes (label shift) is not mistaken for a collapse onto few classes.
 *   <li><b>resets</b>: a method that keeps resetting itself (SAR, {@code +guard}) is not stable
 *       enough to publish.
 * </ul>
 * It reverts (publishes the source) when any check fails and resumes only when all pass their
 * stricter resume levels, the gap between the two being the hysteresis. Checks need
 * {@code minConfident} (weighted) source-confident samples before they judge agreement.
 */
public final class PublishingGuard {

  /**
   * @param halfLife batches after which a batch's weight in the window halves, > 0
   * @param minConfident weighted source-confident samples needed to judge agreement, >= 0
   * @param agreementFloor revert when the agreement falls below it, in [0, 1]
   * @param agreementResume resume only above it, >= agreementFloor
   * @param diversityFloor revert when adapted diversity / source diversity falls below it
   * @param diversityResume resume only above it, >= diversityFloor
   * @param resetLimit revert when the weighted count of resets in the window exceeds it, > 0
   * @param mixingFloor agreement is judged while the batches' class mixing exceeds it (nats),
   *     >= 0
   * @param concentrationFloor or while their concentration on few classes exceeds it (nats),
   *     >= 0
   * @param estimateMargin revert when the adapted model's estimate is below the source's by
   *     more than it, in [0, 1]
   * @param estimateResume resume only when that gap is back within it, in [0, estimateMargin]
   * @param minSamples weighted samples needed to compare the estimates, >= 0
   */
  public record Config(double halfLife, double minConfident, double agreementFloor,
      double agreementResume, double diversityFloor, double diversityResume, double resetLimit,
      double mixingFloor, double concentrationFloor, double estimateMargin,
      double estimateResume, double minSamples) {

    /** The configuration before the estimate check: that check with its default levels. */
    public Config(double halfLife, double minConfident, double agreementFloor,
        double agreementResume, double diversityFloor, double diversityResume,
        double resetLimit, double mixingFloor, double concentrationFloor) {
      this(halfLife, minConfident, agreementFloor, agreementResume, diversityFloor,
          diversityResume, resetLimit, mixingFloor, concentrationFloor, DEFAULT_MARGIN,
          DEFAULT_RESUME, DEFAULT_MIN_SAMPLES);
    }

    public Config {
      new ConfigProblems("guard")
          .require(halfLife > 0, "halfLife must be > 0 batches, got " + halfLife)
          .require(minConfident >= 0, "minConfident must be >= 0, got " + minConfident)
          .require(agreementFloor >= 0 && agreementFloor <= 1,
              "agreementFloor must be in [0, 1], got " + agreementFloor)
          .require(agreementResume >= agreementFloor && agreementResume <= 1,
              "agreementResume must be in [agreementFloor, 1], got " + agreementResume)
          .require(diversityFloor >= 0 && diversityFloor <= 1,
              "diversityFloor must be in [0, 1], got " + diversityFloor)
          .require(diversityResume >= diversityFloor && diversityResume <= 1,
              "diversityResume must be in [diversityFloor, 1], got " + diversityResume)
          .require(resetLimit > 0, "resetLimit must be > 0, got " + resetLimit)
          .require(mixingFloor >= 0, "mixingFloor must be >= 0 nats, got " + mixingFloor)
          .require(concentrationFloor >= 0, "concentrationFloor must be >= 0 nats, got "
              + concentrationFloor)
          .require(estimateMargin >= 0 && estimateMargin <= 1,
              "estimateMargin must be in [0, 1], got " + estimateMargin)
          .require(estimateResume >= 0 && estimateResume <= estimateMargin,
              "estimateResume must be in [0, estimateMargin], got " + estimateResume)
          .require(minSamples >= 0, "minSamples must be >= 0, got " + minSamples)
          .throwIfAny();
    }

    /**
     * A window of about 10 batches (half-life 5); revert below 70% agreement on
     * source-confident samples and resume above 80%; revert when the adapted predictions are
     * less than half as diverse as the source's, resume above two thirds; revert after more
     * than about two resets in the window. 64 source-confident samples (one batch) before
     * agreement is judged, and only while the batches' class mixing is above 0.3 nats (batch
     * to batch noise of 64 i.i.d. samples on ten classes is about 0.1; a class-sorted stream
     * is above 0.5) or their concentration above 1.2 nats (i.i.d. batches under the heaviest
     * shift measured, {@code contrast:5}, read at most 0.87; a batch of one class, up to
     * {@code ln 10 = 2.3}). Estimates: revert when the adapted model's is more than 5 pp
     * below the source's, resume within 2 pp, judged from 160 weighted samples (from the third
     * batch of 64 on, when the pooled gap's deviation on clean data is about 1.3 pp).
     */
    public static Config defaults() {
      return new Config(5, 64, 0.7, 0.8, 0.5, 0.67, 2, 0.3, 1.2, DEFAULT_MARGIN,
          DEFAULT_RESUME, DEFAULT_MIN_SAMPLES);
    }
  }

  private static final double DEFAULT_MARGIN = 0.05;
  private static final double DEFAULT_RESUME = 0.02;
  private static final double DEFAULT_MIN_SAMPLES = 160;

  /**
   * @param confident weighted source-confident samples in the window
   * @param agreements weighted agreements among them
   * @param adaptedClasses weighted predicted-class counts of the adapted model
   * @param sourceClasses weighted predicted-class counts of the source model
   * @param resets weighted resets
   * @param mixing moving average of each batch's KL divergence of source-predicted classes
   *     from the window's before it, nats
   * @param concentration the batches' class divergence from the prior, peak-held with decay,
   *     nats
   * @param reverted whether the source is being published
   * @param samples weighted samples in the window
   * @param adaptedConfident weighted samples whose adapted prediction is confident
   */
  public record State(double confident, double agreements, double[] adaptedClasses,
      double[] sourceClasses, double resets, double mixing, double concentration,
      boolean reverted, double samples, double adaptedConfident) {
    public State {
      adaptedClasses = adaptedClasses.clone();
      sourceClasses = sourceClasses.clone();
    }

    /** A state without the estimate window (as before the estimate check existed). */
    public State(double confident, double agreements, double[] adaptedClasses,
        double[] sourceClasses, double resets, double mixing, double concentration,
        boolean reverted) {
      this(confident, agreements, adaptedClasses, sourceClasses, resets, mixing,
          concentration, reverted, 0, 0);
    }

    /**
     * The adapted model's ATC estimate minus the source's, each on its own confidence, over
     * the window; NaN before any sample.
     */
    public double estimateGap() {
      return samples > 0 ? (adaptedConfident - confident) / samples : Double.NaN;
    }

    @Override
    public double[] adaptedClasses() {
      return adaptedClasses.clone();
    }

    @Override
    public double[] sourceClasses() {
      return sourceClasses.clone();
    }

    /** Agreement on source-confident samples over the window; NaN when there were none. */
    public double agreement() {
      return confident > 0 ? agreements / confident : Double.NaN;
    }

    /** Adapted class diversity over the source's, over the window; NaN before any batch. */
    public double diversityRatio() {
      double source = Probabilities.normalizedEntropy(sourceClasses);
      double adapted = Probabilities.normalizedEntropy(adaptedClasses);
      return source > 0 ? Math.min(adapted / source, 1) : Double.NaN;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s && Double.compare(confident, s.confident) == 0
          && Double.compare(agreements, s.agreements) == 0
          && Arrays.equals(adaptedClasses, s.adaptedClasses)
          && Arrays.equals(sourceClasses, s.sourceClasses)
          && Double.compare(resets, s.resets) == 0 && Double.compare(mixing, s.mixing) == 0
          && Double.compare(concentration, s.concentration) == 0 && reverted == s.reverted
          && Double.compare(samples, s.samples) == 0
          && Double.compare(adaptedConfident, s.adaptedConfident) == 0;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(confident, agreements, Arrays.hashCode(adaptedClasses),
          Arrays.hashCode(sourceClasses), resets, mixing, concentration, reverted, samples,
          adaptedConfident);
    }
  }

  /**
   * @param state the next state
   * @param changed whether this batch switched between adapted and source
   * @param reason why the source is published (empty when the adapted parameters are)
   */
  public record Step(State state, boolean changed, String reason) {
    public boolean publishAdapted() {
      return !state.reverted();
    }
  }

  private final Config config;
  private final double decay;

  public PublishingGuard(Config config) {
    this.config = config;
    this.decay = Math.pow(0.5, 1 / config.halfLife());
  }

  public Config config() {
    return config;
  }

  public State initialState(int classes) {
    return new State(0, 0, new double[classes], new double[classes], 0, 0, 0, false, 0, 0);
  }

  /** Adds one batch to the window and decides. */
  public Step update(State state, DriftSignals signals) {
    State pooled = pool(state, signals);
    String failing = failing(pooled, false);
    if (!state.reverted()) {
      boolean revert = !failing.isEmpty();
      return new Step(withReverted(pooled, revert), revert, failing);
    }
    String notYet = failing(pooled, true);
    boolean resume = notYet.isEmpty();
    return new Step(withReverted(pooled, !resume), resume, notYet);
  }

  /**
   * Whether the window's batches are not i.i.d. (their class mixing or concentration above its
   * floor): only then are the estimate and agreement checks judged.
   */
  public boolean nonIid(State s) {
    return s.mixing() > config.mixingFloor() || s.concentration() > config.concentrationFloor();
  }

  /** The checks that fail, joined; with {@code resuming}, against the stricter resume levels. */
  private String failing(State s, boolean resuming) {
    StringBuilder why = new StringBuilder();
    double gap = s.estimateGap();
    double gapLevel = resuming ? config.estimateResume() : config.estimateMargin();
    boolean nonIid = nonIid(s);
    if (s.samples() >= config.minSamples() && gap < -gapLevel && nonIid) {
      why.append(String.format(java.util.Locale.ROOT, "its estimated accuracy is %.1f pp "
          + "below the source's (%s %.1f pp)", -100 * gap,
          resuming ? "resume within" : "margin", 100 * gapLevel));
    }
    double agreement = s.agreement();
    double agreementLevel = resuming ? config.agreementResume() : config.agreementFloor();
    if (s.confident() >= config.minConfident() && agreement < agreementLevel && nonIid) {
      append(why, String.format(java.util.Locale.ROOT, "the adapted model agrees with only "
          + "%.0f%% of the source's confident predictions (%s %.0f%%) on non-i.i.d. batches "
          + "(class mixing %.2f, concentration %.2f nats)", 100 * agreement,
          resuming ? "resume above" : "floor", 100 * agreementLevel, s.mixing(),
          s.concentration()));
    }
    double diversity = s.diversityRatio();
    double diversityLevel = resuming ? config.diversityResume() : config.diversityFloor();
    if (diversity < diversityLevel) {
      append(why, String.format(java.util.Locale.ROOT, "its predicted classes are %.2f as "
          + "diverse as the source's (%s %.2f)", diversity,
          resuming ? "resume above" : "floor", diversityLevel));
    }
    if (s.resets() > config.resetLimit() || resuming && s.resets() > config.resetLimit() / 2) {
      append(why, String.format(java.util.Locale.ROOT, "it reset itself %.1f times in the "
          + "window (limit %.1f)", s.resets(), config.resetLimit()));
    }
    return why.toString();
  }

  private static void append(StringBuilder why, String text) {
    if (why.length() > 0) {
      why.append("; ");
    }
    why.append(text);
  }

  private State pool(State s, DriftSignals signals) {
    double[] ac = s.adaptedClasses();
    double[] sc = s.sourceClasses();
    int[] a = signals.adaptedClasses();
    int[] b = signals.sourceClasses();
    for (int c = 0; c < ac.length; c++) {
      ac[c] = decay * ac[c] + a[c];
      sc[c] = decay * sc[c] + b[c];
    }
    double mixing = decay * s.mixing() + (1 - decay) * mixing(b, s.sourceClasses());
    double concentration = Math.max(decay * s.concentration(), signals.classDivergence());
    return new State(decay * s.confident() + signals.sourceConfident(),
        decay * s.agreements() + signals.confidentAgreements(), ac, sc,
        decay * s.resets() + (signals.reset() ? 1 : 0), mixing, concentration, s.reverted(),
        decay * s.samples() + signals.samples(),
        decay * s.adaptedConfident() + signals.adaptedConfident());
  }

  /**
   * KL divergence of a batch's predicted classes from the window's before it, both with half a
   * count added per class so that empty classes keep it finite; 0 for the first batch.
   */
  static double mixing(int[] batch, double[] window) {
    double windowTotal = Arrays.stream(window).sum();
    if (windowTotal <= 0) {
      return 0;
    }
    double batchTotal = Arrays.stream(batch).sum() + 0.5 * batch.length;
    windowTotal += 0.5 * window.length;
    double kl = 0;
    for (int c = 0; c < batch.length; c++) {
      double p = (batch[c] + 0.5) / batchTotal;
      double q = (window[c] + 0.5) / windowTotal;
      kl += p * Math.log(p / q);
    }
    return kl;
  }

  private static State withReverted(State s, boolean reverted) {
    return new State(s.confident(), s.agreements(), s.adaptedClasses(), s.sourceClasses(),
        s.resets(), s.mixing(), s.concentration(), reverted, s.samples(),
        s.adaptedConfident());
  }
}
