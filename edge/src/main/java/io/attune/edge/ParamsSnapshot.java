package io.attune.edge;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One immutable set of normalization parameters with its version: what an {@link EdgeModel}
 * predicts with. The model swaps whole snapshots, so an inference reads one snapshot from start
 * to end and never a half-applied update.
 */
public final class ParamsSnapshot {

  private final long version;
  private final Map<String, float[]> parameters;

  private ParamsSnapshot(long version, Map<String, float[]> parameters) {
    this.version = version;
    this.parameters = parameters;
  }

  /**
   * A snapshot of copies of {@code parameters}, so that later changes to the caller's arrays
   * cannot reach it.
   *
   * @param parameters scale, bias, mean and variance of every normalization layer, by the
   *     edge graph's initializer names
   */
  public static ParamsSnapshot of(long version, Map<String, float[]> parameters) {
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters.forEach((name, values) -> copy.put(name, values.clone()));
    return new ParamsSnapshot(version, java.util.Collections.unmodifiableMap(copy));
  }

  /** 0 for the source parameters, else the version of the update they came from. */
  public long version() {
    return version;
  }

  /** Copies of the parameters, by initializer name. */
  public Map<String, float[]> parameters() {
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters.forEach((name, values) -> copy.put(name, values.clone()));
    return copy;
  }

  /** The held arrays themselves, for the runtime, which only reads them. */
  Map<String, float[]> shared() {
    return parameters;
  }

  @Override
  public String toString() {
    return "ParamsSnapshot[version " + version + ", " + parameters.size() + " tensors]";
  }
}
