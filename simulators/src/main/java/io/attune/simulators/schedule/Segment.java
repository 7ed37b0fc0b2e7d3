package io.attune.simulators.schedule;

/**
 * A planned stretch of the stream: one stage, or all stages of a mixed schedule. Holds indices
 * only, never pixels: {@code sources[i]} is the source image at position {@code start + i}, or
 * {@link #OPEN_SET} for a noise image, and {@code stages[i]} its stage.
 */
record Segment(long start, int[] sources, int[] stages) {

  /** The source index of an open-set (noise) sample. */
  static final int OPEN_SET = -1;

  long end() {
    return start + sources.length;
  }
}
