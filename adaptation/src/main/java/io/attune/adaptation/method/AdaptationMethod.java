package io.attune.adaptation.method;

/**
 * A test-time adaptation method as a function {@code (state, batch) -> (state', outputs)}.
 * Implementations hold only their hyperparameters and the model's sessions; everything that
 * changes lives in the {@link MethodState}, so a step is deterministic given its inputs and a
 * serialized state continues exactly. Methods never see labels: {@link Batch} has none.
 */
public interface AdaptationMethod {

  /** Short name, as on the command line ({@code tent}, {@code norm}, ...). */
  String name();

  /** The state before any traffic: the source model. */
  MethodState initialState();

  /** Adapts to one batch and predicts it. */
  Step step(MethodState state, Batch batch);

  /**
   * Predicts a batch in {@code state} without adapting to it: the outputs {@link #step} would
   * give, with no next state. For measurements that must not move the model (drift
   * monitoring's re-calibration on labelled source images).
   *
   * <p>The default runs {@link #step} and drops its state. A method that predicts a batch with
   * the parameters from before its own update (TENT) overrides it with that forward alone and
   * saves the backward; the probabilities are the same.
   */
  default Outputs predict(MethodState state, Batch batch) {
    return step(state, batch).outputs();
  }

  /** A step's result: the next state and what to publish. */
  record Step(MethodState state, Outputs outputs) {}
}
