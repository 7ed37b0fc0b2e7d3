package io.attune.adaptation.method;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * What one step of a method produces.
 *
 * @param probabilities adapted class probabilities, {@code [N, classes]} row-major
 * @param classes number of classes
 * @param version version of the parameters below (1, 2, 3, ... per stream)
 * @param parameters normalization parameters to publish, by initializer name (scale, bias,
 *     mean, var), the ones an edge should run with to predict like the method now does
 * @param diagnostics what happened in the step
 * @param memory the non-parametric memory an edge should predict with (T3A's prototypes,
 *     AdaNPC's kNN entries), or empty for methods that keep none; published beside the
 *     parameters under the same {@code version}
 */
public record Outputs(float[] probabilities, int classes, long version,
    Map<String, float[]> parameters, Diagnostics diagnostics, Optional<Memory> memory) {

  public Outputs {
    if (memory == null) {
      throw new IllegalArgumentException("memory must not be null; use Optional.empty()");
    }
  }

  /** Outputs of a method that keeps no memory. */
  public Outputs(float[] probabilities, int classes, long version,
      Map<String, float[]> parameters, Diagnostics diagnostics) {
    this(probabilities, classes, version, parameters, diagnostics, Optional.empty());
  }

  /**
   * A method's non-parametric memory as an edge needs it: labelled feature vectors in the
   * space of the bundle's penultimate features ({@code head.dim}).
   *
   * @param kind what the entries are
   * @param dim feature dimension
   * @param features {@code [entries, dim]} row-major
   * @param labels class of each entry: a predicted class, never a true label
   * @param weights weight of each entry (T3A: supports behind each prototype; AdaNPC: 1)
   * @param changedAt the output version at which the content last changed; equal to the
   *     step's version when this step changed it, so a publisher may skip unchanged memories
   * @param vote for {@link Kind#KNN}, how the entries are voted over, present; for
   *     {@link Kind#PROTOTYPES} empty
   */
  public record Memory(Kind kind, int dim, float[] features, int[] labels, float[] weights,
      long changedAt, Optional<Vote> vote) {

    /**
     * What a kNN vote over the entries needs besides them (AdaNPC's): the entries extend the
     * source memory named by {@code sourceMemorySha256} ({@link KnnVote#sourceMemorySha256()})
     * and are voted over together with it.
     *
     * @param k neighbours voting, at least 1
     * @param temperature softmax temperature of the similarities, finite and above 0
     * @param sourceMemorySha256 64 lower-case hex digits
     */
    public record Vote(int k, float temperature, String sourceMemorySha256) {
      public Vote {
        if (k < 1 || !(temperature > 0) || !Float.isFinite(temperature)
            || sourceMemorySha256 == null || !sourceMemorySha256.matches("[0-9a-f]{64}")) {
          throw new IllegalArgumentException("a kNN vote needs k >= 1, a finite temperature "
              + "above 0 and a SHA-256 in hex, got k " + k + ", temperature " + temperature
              + ", source " + sourceMemorySha256);
        }
      }
    }

    /** The two shapes a memory takes, as {@code MemoryUpdate.kind} names them. */
    public enum Kind {
      /** Weighted prototypes, at least one per class (T3A): predict by the largest dot product. */
      PROTOTYPES,
      /** Labelled entries searched by nearest neighbours (AdaNPC). */
      KNN
    }

    public Memory {
      if (dim < 1 || features.length != labels.length * dim || weights.length != labels.length) {
        throw new IllegalArgumentException("memory of " + labels.length + " entries of dim "
            + dim + " needs " + labels.length * dim + " features and " + labels.length
            + " weights, got " + features.length + " and " + weights.length);
      }
      if (vote == null || vote.isPresent() != (kind == Kind.KNN)) {
        throw new IllegalArgumentException(kind + " memory with vote " + vote
            + ": a KNN memory has one, a PROTOTYPES memory none");
      }
      features = features.clone();
      labels = labels.clone();
      weights = weights.clone();
    }

    public int entries() {
      return labels.length;
    }

    @Override
    public float[] features() {
      return features.clone();
    }

    @Override
    public int[] labels() {
      return labels.clone();
    }

    @Override
    public float[] weights() {
      return weights.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Memory m && kind == m.kind && dim == m.dim && changedAt == m.changedAt
          && Arrays.equals(features, m.features) && Arrays.equals(labels, m.labels)
          && Arrays.equals(weights, m.weights) && vote.equals(m.vote);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(labels) * 31 + Long.hashCode(changedAt);
    }

    @Override
    public String toString() {
      return "Memory[" + kind + ", " + entries() + " x " + dim + ", changedAt " + changedAt + "]";
    }
  }

  /**
   * @param samples samples in the batch
   * @param samplesUsed samples that contributed to the update (all, for unfiltered methods)
   * @param meanEntropy mean prediction entropy of the batch, in nats
   * @param reset whether the method reset itself to the source parameters in this step
   * @param batchStatistics the statistics of this batch at every normalization layer's input,
   *     as the step's own forward measured them; {@link BatchStatistics#NONE} when the method
   *     does not report them
   */
  public record Diagnostics(int samples, int samplesUsed, float meanEntropy, boolean reset,
      BatchStatistics batchStatistics) {

    public Diagnostics {
      if (batchStatistics == null) {
        throw new IllegalArgumentException("batchStatistics must not be null; use "
            + "BatchStatistics.NONE");
      }
    }

    /** Diagnostics without batch statistics, for methods that measure none. */
    public Diagnostics(int samples, int samplesUsed, float meanEntropy, boolean reset) {
      this(samples, samplesUsed, meanEntropy, reset, BatchStatistics.NONE);
    }

    /** The same diagnostics with another reset flag. */
    public Diagnostics withReset(boolean wasReset) {
      return new Diagnostics(samples, samplesUsed, meanEntropy, wasReset, batchStatistics);
    }
  }

  /**
   * Per-channel mean and biased variance of a batch at the input of every normalization layer,
   * flat in layer order like {@link ParameterLayout}'s statistics
   * ({@code [channels_0, channels_1, ...]}), over all axes but the channels. They are what the
   * step's forward computed anyway, so drift signals read them at no cost. Which forward that
   * was matters for the deeper layers: their inputs depend on how the layers above normalized
   * (the source's statistics for {@code source}, the batch's and the adapted scales for TENT).
   *
   * @param means {@code [channels]}
   * @param vars {@code [channels]}, same length
   */
  public record BatchStatistics(float[] means, float[] vars) {

    /** No statistics: the method did not report any. */
    public static final BatchStatistics NONE = new BatchStatistics(new float[0], new float[0]);

    public BatchStatistics {
      if (means.length != vars.length) {
        throw new IllegalArgumentException(means.length + " means but " + vars.length
            + " variances");
      }
      means = means.clone();
      vars = vars.clone();
    }

    @Override
    public float[] means() {
      return means.clone();
    }

    @Override
    public float[] vars() {
      return vars.clone();
    }

    /** Whether there are any (a method may report {@link #NONE}). */
    public boolean present() {
      return means.length > 0;
    }
  }
}
