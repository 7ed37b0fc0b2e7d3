package io.attune.simulators.corruption;

import java.util.Arrays;
import java.util.List;

/**
 * One parameter of a corruption and its value at each severity, for documentation and reports.
 *
 * @param name what the value means, with its unit, e.g. {@code "sigma (of [0, 1] pixels)"}
 * @param values the value at severities 1 to 5
 */
public record Parameter(String name, List<Double> values) {

  /** @throws IllegalArgumentException unless there is one value per severity */
  public Parameter {
    values = List.copyOf(values);
    if (values.size() != Corruption.MAX_SEVERITY) {
      throw new IllegalArgumentException("parameter " + name + " needs "
          + Corruption.MAX_SEVERITY + " values, one per severity, got " + values.size());
    }
  }

  static Parameter of(String name, double... values) {
    return new Parameter(name, Arrays.stream(values).boxed().toList());
  }

  /** The value at {@code severity} (1 to 5). */
  public double at(int severity) {
    return values.get(severity - 1);
  }
}
