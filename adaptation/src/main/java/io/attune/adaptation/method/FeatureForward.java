package io.attune.adaptation.method;

import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/**
 * The one forward a gradient-free feature method (LAME, T3A, AdaNPC) runs per batch: logits and
 * penultimate features of the model normalized with the source statistics, or, composed with
 * {@code norm}, with the batch's own statistics (test-time BN), or, composed with
 * {@code norm-ema}, with running target statistics, and the parameters an edge must run with to
 * compute the same features.
 */
final class FeatureForward {

  /** Which normalization statistics the features are computed with. */
  enum Statistics {
    /** The source model: the method alone. */
    SOURCE,
    /** Test-time batch normalization underneath: {@code METHOD+norm}. */
    BATCH,
    /**
     * {@code norm-ema}'s running target statistics underneath: {@code METHOD+ema}. The state's
     * statistics start at the source's and move {@link #EMA_MOMENTUM} of the way to each
     * batch's, as {@code norm-ema} does; the batch is normalized with the updated estimate. The
     * only composition that works at batch size 1, where a batch's own statistics are one
     * image's.
     */
    RUNNING
  }

  /** {@code norm-ema}'s momentum, the weight of each batch in the running statistics. */
  static final float EMA_MOMENTUM = Norm.Config.EMA_MOMENTUM;

  /**
   * @param logits {@code [N, classes]} of the model's own head
   * @param features {@code [N, dim]} penultimate features, as the head sees them
   * @param parameters normalization parameters by initializer name that reproduce them
   * @param means the statistics the next state carries: the running estimate for
   *     {@link Statistics#RUNNING}, else the state's own
   * @param vars likewise, the variances
   */
  record View(float[] logits, float[] features, Map<String, float[]> parameters,
      Outputs.BatchStatistics batchStatistics, float[] means, float[] vars) {}

  private FeatureForward() {}

  static View run(AdaptationStep sessions, ParameterLayout layout, MethodState state,
      Batch batch, Statistics statistics) {
    Map<String, float[]> params = layout.named(state.affine(), state.means(), state.vars());
    float alpha = switch (statistics) {
      case SOURCE -> 1f;
      case BATCH -> 0f;
      case RUNNING -> 1 - EMA_MOMENTUM;
    };
    try (AdaptationStep.Forward fwd = sessions.forward(batch.inputs(), batch.size(), params,
        alpha)) {
      if (statistics == Statistics.SOURCE) {
        return new View(fwd.logits(), fwd.features(), params, layout.batchStatistics(fwd),
            state.means(), state.vars());
      }
      float[] means = Norm.mix(state.means(), layout.flattenStatistics(fwd::batchMean), alpha);
      float[] vars = Norm.mix(state.vars(), layout.flattenStatistics(fwd::batchVar), alpha);
      boolean running = statistics == Statistics.RUNNING;
      return new View(fwd.logits(), fwd.features(), layout.named(state.affine(), means, vars),
          layout.batchStatistics(fwd), running ? means : state.means(),
          running ? vars : state.vars());
    }
  }

  /** The suffix of a composed method's name. */
  static String suffix(Statistics statistics) {
    return switch (statistics) {
      case SOURCE -> "";
      case BATCH -> "+norm";
      case RUNNING -> "+ema";
    };
  }
}
