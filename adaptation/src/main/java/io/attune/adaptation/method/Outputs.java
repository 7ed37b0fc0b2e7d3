package io.attune.adaptation.method;

import java.util.Map;

/**
 * What one step of a method produces.
 *
 * @param probabilities adapted class probabilities, {@code [N, classes]} row-major
 * @param classes number of classes
 * @param version version of the parameters below (1, 2, 3, ... per stream)
 * @param parameters normalization parameters to publish, by initializer name (scale, bias,
 *     mean, var), the ones an edge should run with to predict like the method now does
 * @param diagnostics what happened in the step
 */
public record Outputs(float[] probabilities, int classes, long version,
    Map<String, float[]> parameters, Diagnostics diagnostics) {

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
