package io.attune.adaptation.method;

import io.attune.adaptation.method.optim.Adam;
import io.attune.adaptation.method.optim.Optimizer;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/**
 * TENT (Wang et al., "Tent: Fully Test-Time Adaptation by Entropy Minimization", ICLR 2021):
 * normalize with batch statistics and take one optimizer step per batch on the normalization
 * scales and biases, minimizing the mean prediction entropy {@code mean_i H(softmax(z_i))}.
 *
 * <p>As the official code ({@code tent.py}, {@code forward_and_adapt}) does, a batch is
 * predicted with the parameters from before its own update. Defaults follow the official
 * repository, whose only configuration is CIFAR's ({@code cfgs/tent.yaml} read by
 * {@code cifar10c.py}'s {@code setup_optimizer}): Adam, lr 1e-3, betas (0.9, 0.999), no weight
 * decay, one step per batch (that configuration streams batches of 200; Attune's runs use 64).
 * For ImageNet the paper uses SGD with momentum 0.9 and lr 0.00025 at batch size 64, as EATA's
 * and SAR's {@code main.py} run TENT; build a {@link Config} with {@code Sgd} for that.
 *
 * <p>A {@link SampleMask} may keep samples out of the loss, which becomes the mean entropy of
 * the kept ones (the open-set filter of Lee et al., ICCV 2023, is TENT with such a mask); when
 * it keeps none the gradient is zero and the optimizer still steps, as PyTorch does with the
 * zero gradient of an empty mean. {@link SampleMask#all()} is TENT as published.
 *
 * <p>Deviation: the official model keeps no running statistics in adaptation; Attune also
 * keeps an exponential moving average of the batch statistics (momentum {@code statsMomentum},
 * 0.1 like BN's default) in the state and publishes it with the adapted scales and biases,
 * so that edges running batch size 1 normalize with target statistics. It does not change
 * TENT's own predictions.
 */
public final class Tent implements AdaptationMethod {

  /**
   * @param optimizer the update rule (official CIFAR setting: Adam, lr 1e-3)
   * @param statsMomentum weight of each batch in the published running statistics, in (0, 1]
   */
  public record Config(Optimizer optimizer, float statsMomentum) {
    public Config {
      if (optimizer == null) {
        throw new IllegalArgumentException("tent needs an optimizer");
      }
      if (!(statsMomentum > 0 && statsMomentum <= 1)) {
        throw new IllegalArgumentException("tent statsMomentum must be in (0, 1], got "
            + statsMomentum);
      }
    }

    public static Config defaults() {
      return new Config(Adam.withLearningRate(1e-3f), 0.1f);
    }
  }

  private final AdaptationStep sessions;
  private final ParameterLayout layout;
  private final int classes;
  private final Config config;
  private final SampleMask mask;

  public Tent(AdaptationStep sessions, ParameterLayout layout, int classes, Config config,
      SampleMask mask) {
    this.sessions = sessions;
    this.layout = layout;
    this.classes = classes;
    this.config = config;
    this.mask = mask;
  }

  @Override
  public String name() {
    return "tent";
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
      boolean[] kept = mask.keep(batch, logits);
      int used = SampleSelection.count(kept);
      float[] grad = used == 0 ? new float[layout.affineSize()]
          : layout.flattenAffine(sessions.backward(fwd, Entropy.weightedGradient(logits, n,
              classes, SampleSelection.meanWeights(kept)), null));
      Optimizer.Update update = config.optimizer().step(state.affine(), grad, state.optimizer());
      float m = config.statsMomentum();
      float[] means = Norm.mix(layout.flattenStatistics(fwd::batchMean), state.means(), m);
      float[] vars = Norm.mix(layout.flattenStatistics(fwd::batchVar), state.vars(), m);
      MethodState next = new MethodState(state.version() + 1, update.params(), means, vars,
          update.state(), state.extras());
      return new Step(next, new Outputs(Entropy.softmax(logits, n, classes), classes,
          next.version(), layout.named(update.params(), means, vars),
            new Outputs.Diagnostics(n, used, Source.mean(Entropy.perSample(logits, n, classes)),
              false, layout.batchStatistics(fwd))));
    }
  }

  /**
   * The forward of {@link #step} alone, on the inference session: {@code step} predicts with
   * the parameters from before its update, so the probabilities are the same and the backward
   * and the optimizer are saved. The outputs carry {@code state}'s version and parameters.
   */
  @Override
  public Outputs predict(MethodState state, Batch batch) {
    int n = batch.size();
    Map<String, float[]> params = layout.named(state.affine(), state.means(), state.vars());
    try (AdaptationStep.Forward fwd = sessions.inferenceForward(batch.inputs(), n, params, 0f)) {
      float[] logits = fwd.logits();
      return new Outputs(Entropy.softmax(logits, n, classes), classes, state.version(), params,
          new Outputs.Diagnostics(n, 0, Source.mean(Entropy.perSample(logits, n, classes)),
              false, layout.batchStatistics(fwd)));
    }
  }
}
