package io.attune.simulators.schedule;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.Family;
import java.util.Objects;

/**
 * One corruption at one severity: what a stretch of the stream looks like.
 *
 * @param corruption the shift
 * @param severity 1 to 5; 0 for {@code clean}. In a gradual schedule, the peak severity.
 */
public record Domain(Corruption corruption, int severity) {

  /** @throws IllegalArgumentException if the severity is out of range for the corruption */
  public Domain {
    Objects.requireNonNull(corruption, "corruption");
    final boolean clean = corruption.family() == Family.NONE;
    if (clean ? severity != 0 : severity < 1 || severity > Corruption.MAX_SEVERITY) {
      throw new IllegalArgumentException(clean
          ? corruption.name() + " takes no severity, got " + severity
          : "severity of " + corruption.name() + " must be 1 to " + Corruption.MAX_SEVERITY
              + ", got " + severity);
    }
  }

  /** The clean domain, or {@code corruption} at {@code severity}. */
  public static Domain of(Corruption corruption, int severity) {
    return new Domain(corruption, corruption.family() == Family.NONE ? 0 : severity);
  }

  /** Whether this is the uncorrupted data. */
  public boolean clean() {
    return corruption.family() == Family.NONE;
  }

  /** {@code name:severity}, or just the name for {@code clean}. */
  public String spec() {
    return clean() ? corruption.name() : corruption.name() + ":" + severity;
  }

  @Override
  public String toString() {
    return spec();
  }
}
