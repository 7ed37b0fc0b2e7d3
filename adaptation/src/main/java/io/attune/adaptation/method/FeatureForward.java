package io.attune.adaptation.method;

import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/**
 * The one forward a gradient-free feature method (LAME, T3A, AdaNPC) runs per batch: logits and
 * penultimate features of the model normalized with the source statistics, or, composed with
 * {@code norm}, with the batch's own statistics (test-time BN), and the parameters an edge must
 * run with to compute the same features.
 */
final class FeatureForward {

  /** Which normalization statistics the features are computed with. */
  enum Statistics {
    /** The source model: the method alone. */
    SOURCE,
    /** Test-time batch normalization underneath: {@code METHOD+norm}. */
    BATCH
  }

  /**
   * @param logits {@code [N, classes]} of the model's own head
   * @param features {@code [N, dim]} penultimate features, as the head sees them
   * @param parameters normalization parameters by initializer name that reproduce them
   */
  record View(float[] logits, float[] features, Map<String, float[]> parameters,
      Outputs.BatchStatistics batchStatistics) {}

  private FeatureForward() {}

  static View run(AdaptationStep sessions, ParameterLayout layout, MethodState state,
      Batch batch, Statistics statistics) {
    Map<String, float[]> params = layout.named(state.affine(), state.means(), state.vars());
    float alpha = statistics == Statistics.SOURCE ? 1f : 0f;
    try (AdaptationStep.Forward fwd = sessions.forward(batch.inputs(), batch.size(), params,
        alpha)) {
      Map<String, float[]> published = statistics == Statistics.SOURCE ? params
          : layout.named(state.affine(), layout.flattenStatistics(fwd::batchMean),
              layout.flattenStatistics(fwd::batchVar));
      return new View(fwd.logits(), fwd.features(), published, layout.batchStatistics(fwd));
    }
  }

  /** The suffix of a composed method's name. */
  static String suffix(Statistics statistics) {
    return statistics == Statistics.SOURCE ? "" : "+norm";
  }
}
