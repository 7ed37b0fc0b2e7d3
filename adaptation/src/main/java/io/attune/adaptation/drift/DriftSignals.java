package io.attune.adaptation.drift;

import io.attune.adaptation.method.Outputs;
import java.util.Arrays;

/**
 * Label-free signals of one batch, read off what the steps already computed: the method's
 * {@link Outputs} and those of the {@code source} method on the same batch.
 *
 * <p>Why the source model's outputs too: the adapted model's estimate needs nothing else, but
 * the source model's accuracy, and the agreement a collapse cannot fake, need its predictions,
 * which no adapted step makes; that is one forward pass without backward. The data-drift
 * signals (statistics divergence, entropy, class divergence) are then read from that same
 * forward, because a method that normalizes with batch statistics renormalizes every layer
 * below the first: on the reference model its own forward shows a divergence of 0.009 nats on
 * {@code gaussian_noise:5} against the source forward's 0.075 (clean: 0.002), and its clean
 * baseline creeps up as the scales adapt, so an alert raised on it would never resolve. Where a
 * worker runs {@code source} itself, pass the same outputs twice; where it skips the source
 * pass, pass the method's outputs twice and accept the weaker statistics signal and an
 * estimate of the adapted model only.
 *
 * @param samples samples in the batch
 * @param statisticsDivergence per-channel Gaussian KL divergence
 *     {@code KL(N(mu_b, var_b) || N(mu_s, var_s))} of the batch's normalization-layer inputs from
 *     the source statistics, averaged over channels and then over layers, nats; NaN when the
 *     outputs carry no batch statistics
 * @param entropy mean prediction entropy of the source model, nats
 * @param classDivergence {@code KL(p || prior)} of the source model's mean predicted class
 *     distribution over the batch from {@link DriftReference#classPrior()}, nats
 * @param adaptedEntropy mean prediction entropy of the adapted model, nats
 * @param reset whether the method reset itself in this step
 * @param shareUsed share of the batch the method adapted on
 * @param adaptedClasses count of the adapted model's predicted classes
 * @param sourceClasses count of the source model's predicted classes
 * @param sourceConfident samples whose source prediction is confident (entropy below the ATC
 *     threshold)
 * @param confidentAgreements of those, the samples on which the adapted model predicts the
 *     same class
 * @param agreements samples on which both models predict the same class
 * @param adaptedConfident samples whose adapted prediction is confident: ATC's count for the
 *     adapted model
 * @param sourceJudgedCorrect samples on which both models predict the same class and at least
 *     one of them is confident: ATC's count for the source model, with the adapted model's
 *     agreement as a second opinion (see {@link #sourceEstimate()})
 */
public record DriftSignals(int samples, double statisticsDivergence, double entropy,
    double classDivergence, double adaptedEntropy, boolean reset, double shareUsed,
    int[] adaptedClasses, int[] sourceClasses, int sourceConfident, int confidentAgreements,
    int agreements, int adaptedConfident, int sourceJudgedCorrect) {

  public DriftSignals {
    if (samples < 1) {
      throw new IllegalArgumentException("signals need at least one sample, got " + samples);
    }
    adaptedClasses = adaptedClasses.clone();
    sourceClasses = sourceClasses.clone();
  }

  @Override
  public int[] adaptedClasses() {
    return adaptedClasses.clone();
  }

  @Override
  public int[] sourceClasses() {
    return sourceClasses.clone();
  }

  /**
   * Measures the signals of one batch.
   *
   * @param adapted the method's outputs
   * @param source the {@code source} method's outputs on the same batch (or {@code adapted}
   *     again, see the class comment)
   * @throws IllegalArgumentException if the two disagree on the batch or the classes
   */
  public static DriftSignals measure(Outputs adapted, Outputs source, DriftReference reference) {
    int classes = adapted.classes();
    int n = adapted.probabilities().length / classes;
    if (source.classes() != classes || source.probabilities().length != n * classes
        || reference.classes() != classes) {
      throw new IllegalArgumentException("adapted outputs (" + n + " x " + classes
          + "), source outputs (" + source.probabilities().length / source.classes() + " x "
          + source.classes() + ") and the reference (" + reference.classes()
          + " classes) do not describe the same batch");
    }
    Outputs.BatchStatistics stats = source.diagnostics().batchStatistics().present()
        ? source.diagnostics().batchStatistics() : adapted.diagnostics().batchStatistics();
    Counts counts = Counts.of(adapted.probabilities(), source.probabilities(), n, classes,
        reference.entropyThreshold());
    Outputs.Diagnostics d = adapted.diagnostics();
    return new DriftSignals(n, statisticsDivergence(stats, reference),
        counts.sourceEntropy / n, classDivergence(source.probabilities(), n, reference),
        d.meanEntropy(), d.reset(), d.samplesUsed() / (double) n, counts.adaptedClasses,
        counts.sourceClasses, counts.sourceConfident, counts.confidentAgreements,
        counts.agreements, counts.adaptedConfident, counts.sourceJudgedCorrect);
  }

  /**
   * Mean over layers of the mean over channels of
   * {@code 0.5 (ln(vs/vb) + (vb + (mb - ms)^2)/vs - 1)}, {@code v = var + epsilon}; NaN without
   * statistics. Averaging per layer first keeps the wide deep layers from outvoting the first
   * ones, which see the input shift most directly.
   */
  static double statisticsDivergence(Outputs.BatchStatistics stats, DriftReference reference) {
    if (!stats.present()) {
      return Double.NaN;
    }
    float[] mb = stats.means();
    float[] vb = stats.vars();
    if (mb.length != reference.channels()) {
      throw new IllegalArgumentException("batch statistics of " + mb.length
          + " channels, but the source has " + reference.channels());
    }
    double sum = 0;
    int offset = 0;
    for (DriftReference.LayerStatistics layer : reference.layers()) {
      float[] ms = layer.mean();
      float[] vs = layer.var();
      double layerSum = 0;
      for (int c = 0; c < layer.channels(); c++) {
        double b = vb[offset + c] + layer.epsilon();
        double s = vs[c] + layer.epsilon();
        double d = mb[offset + c] - ms[c];
        layerSum += 0.5 * (Math.log(s / b) + (b + d * d) / s - 1);
      }
      sum += layerSum / layer.channels();
      offset += layer.channels();
    }
    return Math.max(sum / reference.layers().size(), 0);
  }

  /** KL of the batch's mean predicted distribution from the prior. */
  static double classDivergence(float[] probabilities, int n, DriftReference reference) {
    int classes = reference.classes();
    double[] mean = new double[classes];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < classes; c++) {
        mean[c] += probabilities[i * classes + c] / n;
      }
    }
    return Probabilities.divergence(mean, reference.classPrior());
  }

  /** Normalized entropy of the adapted model's predicted classes in this batch, in [0, 1]. */
  public double diversity() {
    return Probabilities.normalizedEntropy(Arrays.stream(adaptedClasses).asDoubleStream()
        .toArray());
  }

  /** ATC estimate of the adapted model's accuracy on this batch. */
  public double adaptedEstimate() {
    return adaptedConfident / (double) samples;
  }

  /**
   * Estimate of the source model's accuracy on this batch: the share of samples on which the
   * adapted model predicts the source's class and either model is confident. Plain ATC on the
   * source's own confidence counts the source's confident mistakes as right, and under a heavy
   * shift the source is confidently wrong (contrast, fog) or unsure but right (noise); the
   * adapted model rarely shares a confident mistake, and where it confidently agrees with an
   * unsure source, the source is usually right. When the method is {@code source} itself it is
   * plain ATC. Measured against the alternatives in docs/drift.md.
   */
  public double sourceEstimate() {
    return sourceJudgedCorrect / (double) samples;
  }

  /** Share of the source-confident samples the adapted model agrees on; NaN when none. */
  public double confidentAgreement() {
    return sourceConfident == 0 ? Double.NaN : confidentAgreements / (double) sourceConfident;
  }

  /** Per-sample tallies of one batch. */
  private record Counts(double sourceEntropy, int[] adaptedClasses, int[] sourceClasses,
      int sourceConfident, int confidentAgreements, int agreements, int adaptedConfident,
      int sourceJudgedCorrect) {

    static Counts of(float[] adapted, float[] source, int n, int classes, double threshold) {
      double entropySum = 0;
      int[] ac = new int[classes];
      int[] sc = new int[classes];
      int sConf = 0;
      int confAgree = 0;
      int agree = 0;
      int aConf = 0;
      int judged = 0;
      for (int i = 0; i < n; i++) {
        int a = Probabilities.argmax(adapted, i, classes);
        int s = Probabilities.argmax(source, i, classes);
        double hs = Probabilities.entropy(source, i, classes);
        boolean same = a == s;
        boolean adaptedSure = Probabilities.entropy(adapted, i, classes) < threshold;
        entropySum += hs;
        ac[a]++;
        sc[s]++;
        agree += same ? 1 : 0;
        aConf += adaptedSure ? 1 : 0;
        judged += (adaptedSure || hs < threshold) && same ? 1 : 0;
        if (hs < threshold) {
          sConf++;
          confAgree += same ? 1 : 0;
        }
      }
      return new Counts(entropySum, ac, sc, sConf, confAgree, agree, aConf, judged);
    }
  }
}
