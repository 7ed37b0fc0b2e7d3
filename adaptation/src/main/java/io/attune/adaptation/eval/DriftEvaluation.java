package io.attune.adaptation.eval;

import io.attune.adaptation.drift.ChangeDetector;
import io.attune.adaptation.drift.ConfidenceCalibration;
import io.attune.adaptation.drift.DriftEvent;
import io.attune.adaptation.drift.DriftMonitor;
import io.attune.adaptation.drift.DriftReference;
import io.attune.adaptation.drift.DriftSignals;
import io.attune.adaptation.drift.Signal;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Replays a labelled stream through a method, the source model, the drift signals and a
 * {@link DriftMonitor}, as a worker would, and scores what the labels reveal: when each shift
 * was detected, which alerts were raised on clean data, how far the accuracy estimates were
 * from the truth, and what the publishing guard would have let through. Labels stay here.
 *
 * <p>A batch belongs to the domain most of its samples come from; a <em>segment</em> is a run
 * of batches of one domain, and an <em>episode</em> a run of segments of shifted domains
 * between clean ones (one shift of a continual schedule with clean parts, or a whole gradual
 * ramp).
 */
public final class DriftEvaluation {

  /**
   * A domain of the stream.
   *
   * @param name as the schedule writes it ({@code fog:5}, {@code clean})
   * @param clean whether it is the unshifted data
   * @param severity 1 to 5, 0 for clean
   */
  public record Domain(String name, boolean clean, int severity) {}

  /**
   * One batch as the run saw it.
   *
   * @param batch 0-based
   * @param domain the batch's domain index
   * @param adaptedCorrect labelled samples the adapted model got right
   * @param sourceCorrect labelled samples the source model got right
   * @param guardedCorrect labelled samples right with the parameters the guard allowed before
   *     this batch (adapted predictions while it publishes adapted ones, else the source's)
   * @param labelled samples with a label
   */
  public record BatchTrace(long batch, int domain, int adaptedCorrect, int sourceCorrect,
      int guardedCorrect, int labelled, DriftSignals signals, DriftMonitor.Update update) {}

  /**
   * A run of batches of one domain.
   *
   * @param firstBatch its first batch
   * @param batches how many
   * @param openAtStart alerts of detected signals open when it began
   * @param raised for each signal raised in it, the 1-based batch of the segment that raised it
   * @param resolved for each signal resolved in it, the 1-based batch that resolved it
   * @param openAtEnd alerts of detected signals open when it ended
   */
  public record Segment(int domain, long firstBatch, long batches, List<Signal> openAtStart,
      Map<Signal, Long> raised, Map<Signal, Long> resolved, List<Signal> openAtEnd) {}

  /**
   * The label-free accuracy estimators the report compares, each a count per sample from the
   * two models' predictions and whether each is confident (entropy below the ATC threshold of
   * the reference). The monitor uses {@link #SOURCE_AGREED} and {@link #ADAPTED_RECALIBRATED}.
   */
  public enum Estimator {
    SOURCE_OWN(false, "ATC on the source's own confidence (Garg et al.)"),
    SOURCE_JUDGED(false, "the adapted model confident and predicting the source's class"),
    SOURCE_AGREED(false, "both predict the same class and either is confident (used)"),
    ADAPTED_OWN(true, "ATC on the adapted model's own confidence"),
    ADAPTED_CONTESTED_HALF(true, "ATC on its own confidence, but a confident prediction the "
        + "confident source contradicts counts half"),
    ADAPTED_RECALIBRATED(true, "ATC on its own confidence times its accuracy-to-confidence "
        + "ratio on labelled source images, re-measured as it adapts (used)");

    private final boolean adapted;
    private final String description;

    Estimator(boolean adapted, String description) {
      this.adapted = adapted;
      this.description = description;
    }

    /** Whether it estimates the adapted model's accuracy (else the source model's). */
    public boolean adapted() {
      return adapted;
    }

    public String description() {
      return description;
    }

    /**
     * How much one sample counts towards the estimate, 0 to 1 (to the ratio for
     * {@link #ADAPTED_RECALIBRATED}).
     *
     * @param calibration the adapted model's {@link ConfidenceCalibration#ratio} in force
     */
    public double count(boolean adaptedSure, boolean sourceSure, boolean same,
        double calibration) {
      return switch (this) {
        case SOURCE_OWN -> sourceSure ? 1 : 0;
        case SOURCE_JUDGED -> adaptedSure && same ? 1 : 0;
        case SOURCE_AGREED -> (adaptedSure || sourceSure) && same ? 1 : 0;
        case ADAPTED_OWN -> adaptedSure ? 1 : 0;
        case ADAPTED_CONTESTED_HALF -> !adaptedSure ? 0 : same || !sourceSure ? 1 : 0.5;
        case ADAPTED_RECALIBRATED -> adaptedSure ? calibration : 0;
      };
    }

    /** Each estimator's estimate on one batch, in {@link #values()} order. */
    public static double[] estimate(float[] adapted, float[] source, int n, int classes,
        double threshold, double calibration) {
      double[] sums = new double[values().length];
      for (int i = 0; i < n; i++) {
        boolean a = entropy(adapted, i, classes) < threshold;
        boolean s = entropy(source, i, classes) < threshold;
        boolean same = argmax(adapted, i, classes) == argmax(source, i, classes);
        for (Estimator e : values()) {
          sums[e.ordinal()] += e.count(a, s, same, calibration);
        }
      }
      for (int e = 0; e < sums.length; e++) {
        sums[e] = Math.min(1, sums[e] / n);
      }
      return sums;
    }

    private static double entropy(float[] p, int row, int classes) {
      double h = 0;
      for (int c = 0; c < classes; c++) {
        double v = p[row * classes + c];
        h -= v > 0 ? v * Math.log(v) : 0;
      }
      return h;
    }

    private static int argmax(float[] p, int row, int classes) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (p[row * classes + c] > p[row * classes + best]) {
          best = c;
        }
      }
      return best;
    }
  }

  /**
   * Accuracy and its estimates over every batch of one domain.
   *
   * @param estimatedAdapted mean of the batches' ATC estimates of the adapted model
   * @param estimatedSource mean of the batches' ATC estimates of the source model
   * @param estimators mean of the batches' estimates by each {@link Estimator}, in its order;
   *     empty when not measured
   */
  public record DomainScore(int domain, long labelled, long adaptedCorrect, long sourceCorrect,
      long guardedCorrect, long samples, double estimatedAdapted, double estimatedSource,
      double[] estimators) {

    public DomainScore {
      estimators = estimators.clone();
    }

    /** A score without the estimator comparison. */
    public DomainScore(int domain, long labelled, long adaptedCorrect, long sourceCorrect,
        long guardedCorrect, long samples, double estimatedAdapted, double estimatedSource) {
      this(domain, labelled, adaptedCorrect, sourceCorrect, guardedCorrect, samples,
          estimatedAdapted, estimatedSource, new double[0]);
    }

    @Override
    public double[] estimators() {
      return estimators.clone();
    }

    /** Estimate minus truth of one estimator; NaN when not measured. */
    public double estimatorError(Estimator e) {
      if (estimators.length <= e.ordinal()) {
        return Double.NaN;
      }
      return estimators[e.ordinal()] - (e.adapted() ? adaptedAccuracy() : sourceAccuracy());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DomainScore d && domain == d.domain && labelled == d.labelled
          && adaptedCorrect == d.adaptedCorrect && sourceCorrect == d.sourceCorrect
          && guardedCorrect == d.guardedCorrect && samples == d.samples
          && Double.compare(estimatedAdapted, d.estimatedAdapted) == 0
          && Double.compare(estimatedSource, d.estimatedSource) == 0
          && java.util.Arrays.equals(estimators, d.estimators);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(domain, labelled, adaptedCorrect, sourceCorrect,
          guardedCorrect, samples, estimatedAdapted, estimatedSource,
          java.util.Arrays.hashCode(estimators));
    }

    public double adaptedAccuracy() {
      return adaptedCorrect / (double) Math.max(1, labelled);
    }

    public double sourceAccuracy() {
      return sourceCorrect / (double) Math.max(1, labelled);
    }

    public double guardedAccuracy() {
      return guardedCorrect / (double) Math.max(1, labelled);
    }
  }

  /** The whole run. */
  public record Result(String method, List<Domain> domains, List<Segment> segments,
      List<DomainScore> scores, List<DriftEvent> events, long batches, int warmupBatches,
      long adaptedPublishedBatches) {}

  private DriftEvaluation() {}

  /**
   * Runs the stream.
   *
   * @param domains indexed by the stream's domain indices
   * @param calibration re-measures the adapted model's confidence calibration when the monitor
   *     asks ({@link DriftMonitor#recalibrates}); null to keep ATC's source-fitted one
   * @param trace sees every batch, in order
   * @param progress told the number of samples done after each batch
   */
  public static Result run(AdaptationMethod method, AdaptationMethod source,
      Iterable<StreamEvaluation.LabelledBatch> stream, List<Domain> domains,
      DriftReference reference, DriftMonitor monitor, ConfidenceCalibration calibration,
      Consumer<BatchTrace> trace, LongConsumer progress) {
    int classes = reference.classes();
    MethodState state = method.initialState();
    MethodState sourceState = source.initialState();
    DriftMonitor.State drift = monitor.initialState();
    Tally tally = new Tally(domains.size());
    boolean publishAdapted = true;
    long samples = 0;
    long published = 0;
    for (StreamEvaluation.LabelledBatch b : stream) {
      Batch batch = new Batch(b.inputs(), b.size());
      double ratio = calibration != null && monitor.recalibrates(drift)
          ? calibration.measure(method, state) : Double.NaN;
      AdaptationMethod.Step step = method.step(state, batch);
      AdaptationMethod.Step sourceStep = source.step(sourceState, batch);
      state = step.state();
      sourceState = sourceStep.state();
      DriftSignals signals = DriftSignals.measure(step.outputs(), sourceStep.outputs(),
          reference);
      DriftMonitor.Update update = monitor.update(drift, signals, ratio);
      int[] a = Predictions.argmax(step.outputs().probabilities(), b.size(), classes);
      int[] s = Predictions.argmax(sourceStep.outputs().probabilities(), b.size(), classes);
      BatchTrace t = score(drift.batches(), majority(b.domains(), domains.size()), b, a, s,
          publishAdapted, signals, update);
      published += publishAdapted ? 1 : 0;
      tally.add(t, drift, Estimator.estimate(step.outputs().probabilities(),
          sourceStep.outputs().probabilities(), b.size(), classes,
          reference.entropyThreshold(), update.state().calibration()));
      trace.accept(t);
      drift = update.state();
      publishAdapted = update.publishAdapted();
      samples += b.size();
      progress.accept(samples);
    }
    int warmup = monitor.config().detectors().values().stream()
        .mapToInt(ChangeDetector.Config::warmup).max().orElse(0);
    return new Result(method.name(), List.copyOf(domains), tally.segments(drift),
        tally.scores(), tally.events, drift.batches(), warmup, published);
  }

  private static BatchTrace score(long index, int domain, StreamEvaluation.LabelledBatch b,
      int[] adapted, int[] source, boolean publishAdapted, DriftSignals signals,
      DriftMonitor.Update update) {
    int ac = 0;
    int sc = 0;
    int labelled = 0;
    for (int i = 0; i < b.size(); i++) {
      int y = b.labels()[i];
      if (y >= 0) {
        labelled++;
        ac += adapted[i] == y ? 1 : 0;
        sc += source[i] == y ? 1 : 0;
      }
    }
    return new BatchTrace(index, domain, ac, sc, publishAdapted ? ac : sc, labelled, signals,
        update);
  }

  /** The domain most samples of a batch belong to; the first one on ties. */
  static int majority(int[] batchDomains, int domains) {
    int[] counts = new int[Math.max(domains, 1)];
    int best = batchDomains[0];
    for (int d : batchDomains) {
      if (d < 0 || d >= domains) {
        throw new IllegalArgumentException("domain index " + d + " is outside the "
            + domains + " domains given");
      }
      counts[d]++;
      if (counts[d] > counts[best]) {
        best = d;
      }
    }
    return best;
  }

  /** Accumulates segments, per-domain scores and events as batches go by. */
  private static final class Tally {
    private final long[][] perDomain;
    private final double[][] estimates;
    private final double[][] estimators;
    private final List<Segment> segments = new ArrayList<>();
    private final List<DriftEvent> events = new ArrayList<>();
    private int domain = -1;
    private long first;
    private long count;
    private List<Signal> openAtStart = List.of();
    private Map<Signal, Long> raised = new EnumMap<>(Signal.class);
    private Map<Signal, Long> resolved = new EnumMap<>(Signal.class);

    Tally(int domains) {
      perDomain = new long[domains][5];
      estimates = new double[domains][3];
      estimators = new double[domains][Estimator.values().length];
    }

    void add(BatchTrace t, DriftMonitor.State before, double[] byEstimator) {
      for (int e = 0; e < byEstimator.length; e++) {
        estimators[t.domain()][e] += byEstimator[e];
      }
      if (t.domain() != domain) {
        close(before);
        domain = t.domain();
        first = t.batch();
        count = 0;
        openAtStart = detectedOpen(before);
      }
      count++;
      long[] d = perDomain[t.domain()];
      d[0] += t.labelled();
      d[1] += t.adaptedCorrect();
      d[2] += t.sourceCorrect();
      d[3] += t.guardedCorrect();
      d[4] += t.signals().samples();
      double[] e = estimates[t.domain()];
      e[0] += Math.min(1, t.signals().adaptedEstimate() * t.update().state().calibration());
      e[1] += t.signals().sourceEstimate();
      e[2]++;
      events.addAll(t.update().events());
      for (DriftEvent ev : t.update().transitions()) {
        (ev.transition() == ChangeDetector.Transition.RAISED ? raised : resolved)
            .putIfAbsent(ev.signal(), count);
      }
    }

    private void close(DriftMonitor.State end) {
      if (domain >= 0) {
        segments.add(new Segment(domain, first, count, openAtStart, Map.copyOf(raised),
            Map.copyOf(resolved), detectedOpen(end)));
      }
      raised = new EnumMap<>(Signal.class);
      resolved = new EnumMap<>(Signal.class);
    }

    List<Segment> segments(DriftMonitor.State end) {
      close(end);
      domain = -1;
      return List.copyOf(segments);
    }

    List<DomainScore> scores() {
      List<DomainScore> out = new ArrayList<>();
      for (int i = 0; i < perDomain.length; i++) {
        long[] d = perDomain[i];
        double[] e = estimates[i];
        if (e[2] > 0) {
          double[] means = estimators[i].clone();
          for (int k = 0; k < means.length; k++) {
            means[k] /= e[2];
          }
          out.add(new DomainScore(i, d[0], d[1], d[2], d[3], d[4], e[0] / e[2], e[1] / e[2],
              means));
        }
      }
      return out;
    }

    private static List<Signal> detectedOpen(DriftMonitor.State s) {
      return s.alarmedSignals();
    }
  }
}
