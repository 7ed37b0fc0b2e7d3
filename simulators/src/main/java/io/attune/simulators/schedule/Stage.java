package io.attune.simulators.schedule;

/**
 * One domain of a planned stream with its index, the <em>domain index</em> that exported streams
 * record per sample. A gradual schedule has a stage per step of its severity ramps.
 *
 * @param index 0-based position in {@link Schedule#stages()}
 * @param domain the corruption and severity of the stage
 */
public record Stage(int index, Domain domain) {

  /** The corruption's name. */
  public String corruption() {
    return domain.corruption().name();
  }

  /** The severity (0 for clean). */
  public int severity() {
    return domain.severity();
  }
}
