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

  /** A step's result: the next state and what to publish. */
  record Step(MethodState state, Outputs outputs) {}
}
