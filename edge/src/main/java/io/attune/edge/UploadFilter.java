package io.attune.edge;

import io.attune.adaptation.method.ConfigProblems;
import java.util.ArrayList;
import java.util.List;

/**
 * Which samples a device uploads for adaptation: CEMA's selective upload (Chen et al., "Towards
 * Robust and Efficient Cloud-Edge Elastic Model Adaptation via Selective Entropy Distillation",
 * ICLR 2024), within an upload budget. A pure function
 * {@code (state, entropy) -> (state', verdict)}: the filter holds only its configuration, the
 * {@link State} is an immutable value, so the same entropies always give the same verdicts.
 *
 * <p>A sample of prediction entropy {@code E} (nats) is judged, in this order:
 * <ol>
 *   <li><b>unreliable</b> unless {@code E < E_max(t)}: high-entropy predictions are mostly
 *       wrong and their gradients noisy. {@code E_max(0) = highEntropyFactor * ln C}; once
 *       {@code warmUpSamples} samples have been seen, the threshold follows the running mean
 *       entropy: {@code E_max(t) = E_max(0) * decay * mean_t / mean_w}, where {@code mean_t}
 *       is the mean entropy of every sample seen so far (this one included) and {@code mean_w}
 *       that mean when the warm-up ended. As adaptation makes predictions surer, the threshold
 *       falls with them.
 *   <li><b>low-informative</b> unless {@code E > E_min = lowEntropyFactor * ln C}: a near
 *       certain prediction has a vanishing entropy gradient and teaches the cloud little.
 *   <li><b>over budget</b> when the current window of {@code budget.windowSamples()} seen
 *       samples has already uploaded {@code budget.maxUploads()}.
 * </ol>
 * Otherwise it is uploaded.
 *
 * <p>Defaults ({@link Config#cema}) and where they come from, the official code
 * (github.com/chenyaofo/CEMA, {@code conf/cema.conf}, {@code codebase/core/tta/cema.py}):
 * {@code ent_high_margin: 0.4} times {@code ln C} gives {@code highEntropyFactor = 0.4};
 * {@code ent_high_margin_coeff: 0.6} gives {@code decay = 0.6}; the dynamic rule above is its
 * {@code EntropyCriterion.cnt_ent_high_margin} (running mean over all samples, as its
 * {@code AverageMetric}, which is never reset). Attune's choices, where the released
 * configuration switches a criterion off:
 * <ul>
 *   <li>{@code warm_up_batch_size: null} there means the warm-up never ends and {@code E_max}
 *       stays static; Attune ends it after 512 samples so that the threshold does adapt.
 *   <li>{@code ent_low_margin: null} there turns the entropy floor off (the code's
 *       {@code EntropyCriterion} has it, compared with {@code >} like here); Attune uses
 *       {@code lowEntropyFactor = 0.02}, i.e. {@code E_min = 0.046} nats for 10 classes
 *       (a top probability above about 0.99).
 *   <li>The released run also drops redundant samples by the cosine similarity of their
 *       probabilities to a moving average (EATA's {@code d_margin = 0.05}, tuned for 1,000
 *       classes; with 10 classes it would drop nearly every sample). Attune leaves it out.
 * </ul>
 * Deviation: the official code updates the running mean with a whole batch before judging it;
 * here each sample updates it before its own verdict, so verdicts do not depend on how the
 * stream is cut into batches.
 */
public final class UploadFilter {

  /** What happened to a sample. */
  public enum Verdict {
    /** Passed every criterion and the budget: upload it. */
    UPLOAD,
    /** Entropy at or above the dynamic threshold {@code E_max(t)}. */
    UNRELIABLE,
    /** Entropy at or below {@code E_min}. */
    LOW_INFORMATIVE,
    /** Informative and reliable, but the window's upload budget is spent. */
    OVER_BUDGET
  }

  /**
   * At most {@code maxUploads} uploads per window of {@code windowSamples} consecutive samples
   * seen by the device (windows do not overlap; the first starts at the first sample).
   */
  public record Budget(int maxUploads, int windowSamples) {

    /** @throws IllegalArgumentException naming the value out of range */
    public Budget {
      new ConfigProblems("upload budget")
          .require(windowSamples >= 1, "windowSamples must be at least 1, got " + windowSamples)
          .require(maxUploads >= 0 && maxUploads <= windowSamples, "maxUploads must be 0 to "
              + "windowSamples (" + windowSamples + "), got " + maxUploads)
          .throwIfAny();
    }

    /** No limit: every reliable, informative sample is uploaded. */
    public static Budget unlimited() {
      return new Budget(1, 1);
    }

    /** At most {@code share} (0 to 1) of each window's samples, rounded down. */
    public static Budget share(double share, int windowSamples) {
      if (!(share >= 0 && share <= 1)) {
        throw new IllegalArgumentException("upload budget: share must be 0 to 1, got " + share);
      }
      return new Budget((int) Math.floor(share * windowSamples), windowSamples);
    }
  }

  /**
   * @param classes number of classes {@code C} of the model; thresholds scale with {@code ln C}
   * @param highEntropyFactor {@code E_max(0) / ln C}, in (0, 1]; CEMA: 0.4
   * @param decay {@code ent_high_margin_coeff}, factor applied once warmed up, in (0, 1]; CEMA: 0.6
   * @param warmUpSamples samples before the threshold follows the mean entropy, 1 or more;
   *     {@link Long#MAX_VALUE} keeps it static like the released configuration
   * @param lowEntropyFactor {@code E_min / ln C}, in [0, highEntropyFactor); 0 turns the
   *     criterion off (even a zero entropy passes)
   * @param budget the upload budget
   */
  public record Config(int classes, double highEntropyFactor, double decay, long warmUpSamples,
      double lowEntropyFactor, Budget budget) {

    /** @throws IllegalArgumentException listing every field out of range */
    public Config {
      new ConfigProblems("upload filter")
          .require(classes >= 2, "classes must be at least 2, got " + classes)
          .require(highEntropyFactor > 0 && highEntropyFactor <= 1,
              "highEntropyFactor must be in (0, 1], got " + highEntropyFactor)
          .require(decay > 0 && decay <= 1, "decay must be in (0, 1], got " + decay)
          .require(warmUpSamples >= 1, "warmUpSamples must be at least 1, got " + warmUpSamples)
          .require(lowEntropyFactor >= 0 && lowEntropyFactor < highEntropyFactor,
              "lowEntropyFactor must be 0 or more and below highEntropyFactor ("
                  + highEntropyFactor + "), got " + lowEntropyFactor)
          .require(budget != null, "budget is missing")
          .throwIfAny();
    }

    /** CEMA's thresholds (see the class comment) for {@code classes} classes, within a budget. */
    public static Config cema(int classes, Budget budget) {
      return new Config(classes, 0.4, 0.6, 512, 0.02, budget);
    }
  }

  /**
   * Sent and skipped samples, by reason.
   *
   * @param uploaded samples uploaded
   * @param unreliable samples skipped as unreliable
   * @param lowInformative samples skipped as low-informative
   * @param overBudget samples skipped for the budget
   */
  public record Counts(long uploaded, long unreliable, long lowInformative, long overBudget) {

    public static final Counts ZERO = new Counts(0, 0, 0, 0);

    /** Every sample judged. */
    public long seen() {
      return uploaded + skipped();
    }

    /** Samples not uploaded, whatever the reason. */
    public long skipped() {
      return unreliable + lowInformative + overBudget;
    }

    /** Uploaded share of the samples seen, 0 when none. */
    public double uploadShare() {
      return seen() == 0 ? 0 : uploaded / (double) seen();
    }

    /** These counts plus {@code other}'s, e.g. over a cohort's devices. */
    public Counts plus(Counts other) {
      return new Counts(uploaded + other.uploaded, unreliable + other.unreliable,
          lowInformative + other.lowInformative, overBudget + other.overBudget);
    }

    Counts count(Verdict verdict) {
      return switch (verdict) {
        case UPLOAD -> new Counts(uploaded + 1, unreliable, lowInformative, overBudget);
        case UNRELIABLE -> new Counts(uploaded, unreliable + 1, lowInformative, overBudget);
        case LOW_INFORMATIVE -> new Counts(uploaded, unreliable, lowInformative + 1, overBudget);
        case OVER_BUDGET -> new Counts(uploaded, unreliable, lowInformative, overBudget + 1);
      };
    }
  }

  /**
   * Everything the filter remembers, as a value.
   *
   * @param seen samples judged
   * @param entropySum sum of their entropies, in nats
   * @param warmUpMean mean entropy when the warm-up ended, NaN before
   * @param windowUploads uploads in the current budget window
   * @param counts verdicts so far
   */
  public record State(long seen, double entropySum, double warmUpMean, int windowUploads,
      Counts counts) {}

  /**
   * @param verdict what to do with the sample
   * @param highThreshold {@code E_max(t)} the sample was compared with, in nats
   * @param state the state after this sample
   */
  public record Decision(Verdict verdict, double highThreshold, State state) {}

  /** Verdicts of consecutive samples, in order, and the state after the last. */
  public record Decisions(List<Verdict> verdicts, State state) {}

  private final Config config;
  private final double highAtStart;
  private final double low;

  public UploadFilter(Config config) {
    this.config = config;
    double lnC = Math.log(config.classes());
    this.highAtStart = config.highEntropyFactor() * lnC;
    this.low = config.lowEntropyFactor() * lnC;
  }

  public Config config() {
    return config;
  }

  /** The state before any sample. */
  public State initialState() {
    return new State(0, 0, Double.NaN, 0, Counts.ZERO);
  }

  /** {@code E_min}, in nats. */
  public double lowThreshold() {
    return low;
  }

  /** {@code E_max(t)} once the state has seen its samples, in nats. */
  public double highThreshold(State state) {
    if (Double.isNaN(state.warmUpMean()) || state.warmUpMean() <= 0) {
      return highAtStart;
    }
    return highAtStart * config.decay() * (state.entropySum() / state.seen())
        / state.warmUpMean();
  }

  /**
   * Judges one sample.
   *
   * @param entropy its prediction entropy in nats (non-negative; NaN is unreliable)
   */
  public Decision decide(State state, float entropy) {
    long seen = state.seen() + 1;
    double sum = state.entropySum() + (Float.isNaN(entropy) ? 0 : entropy);
    double warmUpMean = Double.isNaN(state.warmUpMean()) && seen >= config.warmUpSamples()
        ? sum / seen : state.warmUpMean();
    int windowUploads = (seen - 1) % config.budget().windowSamples() == 0
        ? 0 : state.windowUploads();
    State counted = new State(seen, sum, warmUpMean, windowUploads, state.counts());
    double high = highThreshold(counted);
    Verdict verdict = verdict(entropy, high, windowUploads);
    State next = new State(seen, sum, warmUpMean,
        windowUploads + (verdict == Verdict.UPLOAD ? 1 : 0), state.counts().count(verdict));
    return new Decision(verdict, high, next);
  }

  /** Judges consecutive samples; the same as calling {@link #decide} on each in turn. */
  public Decisions decideAll(State state, float[] entropies) {
    List<Verdict> verdicts = new ArrayList<>(entropies.length);
    State current = state;
    for (float entropy : entropies) {
      Decision decision = decide(current, entropy);
      verdicts.add(decision.verdict());
      current = decision.state();
    }
    return new Decisions(List.copyOf(verdicts), current);
  }

  private Verdict verdict(float entropy, double high, int windowUploads) {
    if (!(entropy < high)) {
      return Verdict.UNRELIABLE;
    }
    if (low > 0 && !(entropy > low)) {
      return Verdict.LOW_INFORMATIVE;
    }
    if (windowUploads >= config.budget().maxUploads()) {
      return Verdict.OVER_BUDGET;
    }
    return Verdict.UPLOAD;
  }
}
