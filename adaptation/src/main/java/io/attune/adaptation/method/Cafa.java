package io.attune.adaptation.method;

import io.attune.adaptation.bundle.ClassStatistics;
import io.attune.adaptation.method.optim.Adam;
import io.attune.adaptation.method.optim.Optimizer;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/**
 * CAFA (Jung et al., "CAFA: Class-Aware Feature Alignment for Test-Time Adaptation", ICCV
 * 2023): aligns the penultimate features of test samples to the source class-conditional
 * Gaussians of their predicted classes, updating the normalization scales and biases. One step
 * per batch:
 * <ol>
 *   <li>forward with batch statistics and the current parameters; the batch is predicted from
 *       this forward, before its update (as TENT, whose protocol the paper follows);
 *   <li>pseudo-labels {@code yhat_i = argmax_c z_ic};
 *   <li>loss {@link ClassAwareAlignment}: {@code (1/N) sum_i log(D_yhat(f_i) / sum_c D_c(f_i))}
 *       with squared Mahalanobis distances to the source statistics ({@link ClassStatistics},
 *       computed by {@code attune prepare --source-memory} from the bundle's source features and
 *       labels);
 *   <li>{@code dL/dfeatures} goes into {@link AdaptationStep#backward} (no logit term), which
 *       returns the gradient of every scale and bias; one optimizer step.
 * </ol>
 *
 * <p>The paper's code is not public; this follows the paper's equations. Its source statistics
 * are per-class means and per-class covariances over a subset of the training set; the paper
 * trains with TENT's optimizer settings (Adam, lr 1e-3 on CIFAR; SGD, lr 0.00025 on ImageNet).
 * Deviations, both switchable in {@link Config}: covariances get a small relative diagonal
 * loading ({@code ridge}, default 1e-4 of the mean variance) so that a covariance estimated
 * from few samples per class stays invertible; and {@code sharedCovariance} replaces the
 * per-class covariances by the pooled one (Lee et al.'s tied covariance).
 *
 * <p>As {@link Tent}, Attune keeps an exponential moving average of the batch statistics
 * (momentum {@code statsMomentum}) and publishes it with the adapted scales and biases; it
 * does not change CAFA's predictions.
 */
public final class Cafa implements AdaptationMethod {

  /**
   * CAFA's hyperparameters (the loss has none of its own).
   *
   * @param optimizer the update rule; default Adam, lr 1e-3 (TENT's CIFAR setting, which the
   *     paper uses for CIFAR)
   * @param sharedCovariance false: per-class covariances, as the paper; true: the pooled one
   * @param ridge relative diagonal loading of the covariances, in [0, 1)
   * @param statsMomentum weight of each batch in the published running statistics, in (0, 1]
   */
  public record Config(Optimizer optimizer, boolean sharedCovariance, float ridge,
      float statsMomentum) {

    public Config {
      new ConfigProblems("cafa")
          .require(optimizer != null, "optimizer is missing")
          .require(ridge >= 0 && ridge < 1, "ridge must be in [0, 1), got " + ridge)
          .require(statsMomentum > 0 && statsMomentum <= 1,
              "statsMomentum must be in (0, 1], got " + statsMomentum)
          .throwIfAny();
    }

    /** Adam lr 1e-3, per-class covariances, ridge 1e-4, statistics momentum 0.1. */
    public static Config defaults() {
      return new Config(Adam.withLearningRate(1e-3f), false, 1e-4f, 0.1f);
    }
  }

  private final AdaptationStep sessions;
  private final ParameterLayout layout;
  private final int classes;
  private final Config config;
  private final ClassAwareAlignment alignment;

  public Cafa(AdaptationStep sessions, ParameterLayout layout, int classes, Config config,
      ClassStatistics statistics) {
    if (statistics.classes() != classes) {
      throw new IllegalArgumentException("class statistics of " + statistics.classes()
          + " classes for a model of " + classes);
    }
    this.sessions = sessions;
    this.layout = layout;
    this.classes = classes;
    this.config = config;
    this.alignment = new ClassAwareAlignment(statistics, config.sharedCovariance(),
        config.ridge());
  }

  @Override
  public String name() {
    return "cafa";
  }

  @Override
  public MethodState initialState() {
    return layout.sourceState(config.optimizer().initialState(layout.affineSize()));
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    int n = batch.size();
    Map<String, float[]> params = layout.named(state.affine(), state.means(), state.vars());
    try (AdaptationStep.Forward fwd = sessions.forward(batch.inputs(), n, params, 0f)) {
      float[] logits = fwd.logits();
      float[] dFeatures = alignment.gradient(fwd.features(), n, predicted(logits, n, classes));
      float[] grad = layout.flattenAffine(sessions.backward(fwd, new float[n * classes],
          dFeatures));
      Optimizer.Update update = config.optimizer().step(state.affine(), grad, state.optimizer());
      float m = config.statsMomentum();
      float[] means = Norm.mix(layout.flattenStatistics(fwd::batchMean), state.means(), m);
      float[] vars = Norm.mix(layout.flattenStatistics(fwd::batchVar), state.vars(), m);
      MethodState next = new MethodState(state.version() + 1, update.params(), means, vars,
          update.state(), state.extras());
      return new Step(next, new Outputs(Entropy.softmax(logits, n, classes), classes,
          next.version(), layout.named(update.params(), means, vars),
          new Outputs.Diagnostics(n, n, Source.mean(Entropy.perSample(logits, n, classes)),
              false, layout.batchStatistics(fwd))));
    }
  }

  /** The loss of this batch's forward, for diagnostics and tests. */
  public double loss(float[] features, float[] logits, int n) {
    return alignment.loss(features, n, predicted(logits, n, classes));
  }

  /** Row-wise argmax of {@code [N, classes]} logits (first maximum on ties, like PyTorch). */
  static int[] predicted(float[] logits, int n, int classes) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[i * classes + c] > logits[i * classes + best]) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }
}
