package io.attune.adaptation.method.optim;

/**
 * A first-order optimizer over a flat parameter vector. Pure: {@link #step} returns new
 * parameters and a new state and changes neither argument, so a method's state can be copied,
 * serialized and replayed.
 */
public sealed interface Optimizer permits Sgd, Adam {

  /** Optimizer state for {@code size} parameters before the first step. */
  OptimizerState initialState(int size);

  /** One update of {@code params} along {@code grad}; returns the new parameters and state. */
  Update step(float[] params, float[] grad, OptimizerState state);

  /**
   * Per-parameter buffers of an optimizer (momentum, Adam's moments) and its step count.
   *
   * @param first first buffer (momentum or Adam's m); zeros before the first step
   * @param second second buffer (Adam's v), empty for SGD
   * @param steps updates taken so far
   */
  record OptimizerState(float[] first, float[] second, long steps) {

    public OptimizerState {
      first = first.clone();
      second = second.clone();
    }

    @Override
    public float[] first() {
      return first.clone();
    }

    @Override
    public float[] second() {
      return second.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof OptimizerState s && steps == s.steps
          && java.util.Arrays.equals(first, s.first) && java.util.Arrays.equals(second, s.second);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(java.util.Arrays.hashCode(first),
          java.util.Arrays.hashCode(second), steps);
    }
  }

  /** New parameters and optimizer state. */
  record Update(float[] params, OptimizerState state) {}
}
