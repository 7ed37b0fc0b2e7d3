package io.attune.adaptation.method;

import io.attune.adaptation.method.optim.Optimizer.OptimizerState;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a method carries from one batch to the next, immutable and serializable
 * ({@link MethodStateCodec}) so that it can live in a state store and a restored state
 * continues bit-identically.
 *
 * @param version parameter version last published; 0 before the first batch
 * @param affine normalization scales and biases, flat ({@link ParameterLayout})
 * @param means statistics the method feeds as "source" statistics (the source's, or its
 *     running estimate of the target's)
 * @param vars likewise for variances
 * @param optimizer optimizer buffers; empty for gradient-free methods
 * @param extras method-specific vectors by name (moving averages, Fisher information, ...)
 */
public record MethodState(long version, float[] affine, float[] means, float[] vars,
    OptimizerState optimizer, Map<String, float[]> extras) {

  public MethodState {
    affine = affine.clone();
    means = means.clone();
    vars = vars.clone();
    TreeMap<String, float[]> copy = new TreeMap<>();
    extras.forEach((k, v) -> copy.put(k, v.clone()));
    extras = java.util.Collections.unmodifiableMap(copy);
  }

  @Override
  public float[] affine() {
    return affine.clone();
  }

  @Override
  public float[] means() {
    return means.clone();
  }

  @Override
  public float[] vars() {
    return vars.clone();
  }

  public float[] extra(String name) {
    float[] v = extras.get(name);
    return v == null ? null : v.clone();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MethodState s) || version != s.version
        || !Arrays.equals(affine, s.affine) || !Arrays.equals(means, s.means)
        || !Arrays.equals(vars, s.vars) || !optimizer.equals(s.optimizer)
        || !extras.keySet().equals(s.extras.keySet())) {
      return false;
    }
    return extras.keySet().stream().allMatch(k -> Arrays.equals(extras.get(k),
        s.extras.get(k)));
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, Arrays.hashCode(affine), Arrays.hashCode(means),
        Arrays.hashCode(vars), optimizer);
  }
}
