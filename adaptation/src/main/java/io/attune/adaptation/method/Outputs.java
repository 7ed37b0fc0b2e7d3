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
   */
  public record Diagnostics(int samples, int samplesUsed, float meanEntropy, boolean reset) {}
}
