package io.attune.schemas;

import java.util.Locale;

/** Attune's topics, by role; {@link Topics} maps each to its name, serdes and configs. */
public enum TopicId {
  /** Samples uploaded for adaptation. */
  TRAFFIC,
  /** Signed normalization parameters, compacted: the latest per cohort. */
  PARAMS,
  /** Signed non-parametric memories, compacted: the latest per cohort. */
  MEMORY,
  /** Drift alerts. */
  ALERTS,
  /** Adapted predictions. */
  PREDICTIONS,
  /** Rejected records. */
  DLQ;

  /** The lower-case role, e.g. {@code traffic}: the default name is {@code attune.traffic}. */
  public String role() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The config key that overrides this topic's whole name, e.g. {@code topic.traffic}. */
  public String configKey() {
    return TopicsConfig.KEY_PREFIX + role();
  }
}
