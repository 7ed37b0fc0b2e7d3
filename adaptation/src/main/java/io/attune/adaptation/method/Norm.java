package io.attune.adaptation.method;

import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/**
 * Gradient-free calibration of the normalization statistics.
 *
 * <ul>
 *   <li>Test-time batch normalization (Nado et al. 2020; Schneider et al. 2020):
 *       {@code alpha = 0}, every batch normalized with its own statistics.
 *   <li>alpha-BN ("Test-time Batch Statistics Calibration for Covariate Shift", You et al.
 *       2021): {@code mu = alpha*mu_s + (1-alpha)*mu_b}, variance likewise.
 *   <li>Streaming estimates, so that batch size 1 works: with {@code emaMomentum = m > 0} the
 *       method keeps {@code mu_t <- (1-m)*mu_t + m*mu_b} (from the source's statistics) and
 *       predicts with the updated estimate, which the graph's alpha mix computes in the same
 *       pass: feed {@code mu_t} as the "source" statistics and {@code alpha = 1 - m}.
 * </ul>
 * The variance estimate mixes batch variances only (the spread of batch means around the
 * estimate is left out), as the momentum-based running statistics of BN layers do.
 *
 * @see Config
 */
public final class Norm implements AdaptationMethod {

  /**
   * @param alpha weight of the source statistics in [0, 1] (0: test-time BN); ignored when
   *     {@code emaMomentum > 0}
   * @param emaMomentum weight of each batch in the running target statistics, in [0, 1];
   *     0 turns the running estimate off
   */
  public record Config(float alpha, float emaMomentum) {
    public Config {
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new IllegalArgumentException("norm alpha must be in [0, 1], got " + alpha);
      }
      if (!(emaMomentum >= 0 && emaMomentum <= 1)) {
        throw new IllegalArgumentException("norm emaMomentum must be in [0, 1], got "
            + emaMomentum);
      }
    }

    /** {@code norm-ema}'s weight of each batch in the running statistics. */
    public static final float EMA_MOMENTUM = 0.05f;

    /** {@code norm-ema}: running target statistics from the source's. */
    public static Config runningStatistics() {
      return new Config(0f, EMA_MOMENTUM);
    }

    /** Test-time batch normalization. */
    public static Config testTimeBatchNorm() {
      return new Config(0f, 0f);
    }
  }

  private final AdaptationStep sessions;
  private final ParameterLayout layout;
  private final int classes;
  private final Config config;

  /** The hyperparameters this instance runs with. */
  public Config config() {
    return config;
  }

  public Norm(AdaptationStep sessions, ParameterLayout layout, int classes, Config config) {
    this.sessions = sessions;
    this.layout = layout;
    this.classes = classes;
    this.config = config;
  }

  @Override
  public String name() {
    return "norm";
  }

  @Override
  public MethodState initialState() {
    return layout.sourceState();
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    boolean streaming = config.emaMomentum() > 0;
    float alpha = streaming ? 1 - config.emaMomentum() : config.alpha();
    Map<String, float[]> params = layout.named(state.affine(), state.means(), state.vars());
    try (AdaptationStep.Forward fwd = sessions.forward(batch.inputs(), batch.size(), params,
        alpha)) {
      float[] logits = fwd.logits();
      float[] usedMeans = mix(state.means(), layout.flattenStatistics(fwd::batchMean), alpha);
      float[] usedVars = mix(state.vars(), layout.flattenStatistics(fwd::batchVar), alpha);
      MethodState next = new MethodState(state.version() + 1, state.affine(),
          streaming ? usedMeans : state.means(), streaming ? usedVars : state.vars(),
          state.optimizer(), state.extras());
      return new Step(next, new Outputs(Entropy.softmax(logits, batch.size(), classes), classes,
          next.version(), layout.named(state.affine(), usedMeans, usedVars),
          new Outputs.Diagnostics(batch.size(), batch.size(),
              Source.mean(Entropy.perSample(logits, batch.size(), classes)), false,
              layout.batchStatistics(fwd))));
    }
  }

  /** {@code alpha * a + (1 - alpha) * b}, elementwise. */
  static float[] mix(float[] a, float[] b, float alpha) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = alpha * a[i] + (1 - alpha) * b[i];
    }
    return out;
  }
}
