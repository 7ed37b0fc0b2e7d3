package io.attune.adaptation.method;

import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/** No adaptation: the source model's predictions, the baseline every method is measured on. */
public final class Source implements AdaptationMethod {

  private final AdaptationStep sessions;
  private final ParameterLayout layout;
  private final int classes;

  public Source(AdaptationStep sessions, ParameterLayout layout, int classes) {
    this.sessions = sessions;
    this.layout = layout;
    this.classes = classes;
  }

  @Override
  public String name() {
    return "source";
  }

  @Override
  public MethodState initialState() {
    return layout.sourceState();
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    Map<String, float[]> params = layout.named(state.affine(), state.means(), state.vars());
    try (AdaptationStep.Forward fwd = sessions.inferenceForward(batch.inputs(), batch.size(),
        params, 1f)) {
      float[] logits = fwd.logits();
      MethodState next = new MethodState(state.version() + 1, state.affine(), state.means(),
          state.vars(), state.optimizer(), state.extras());
      return new Step(next, new Outputs(Entropy.softmax(logits, batch.size(), classes), classes,
          next.version(), params, new Outputs.Diagnostics(batch.size(), 0,
              mean(Entropy.perSample(logits, batch.size(), classes)), false,
              layout.batchStatistics(fwd))));
    }
  }

  static float mean(float[] values) {
    double s = 0;
    for (float v : values) {
      s += v;
    }
    return (float) (s / values.length);
  }
}
