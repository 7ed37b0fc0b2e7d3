package io.attune.adaptation.method;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.method.optim.Optimizer;
import io.attune.adaptation.method.optim.Sgd;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SAR (Niu et al., "Towards Stable Test-Time Adaptation in Dynamic Wild World", ICLR 2023):
 * sharpness-aware and reliable entropy minimization of the normalization scales and biases,
 * with batch statistics, and model recovery. One step per batch, as the official
 * {@code forward_and_adapt_sar} with {@code sam.SAM} around SGD:
 * <ol>
 *   <li>forward with the current parameters {@code theta}; the batch is predicted from this
 *       forward, before its update;
 *   <li>reliable: {@code S1 = {i : H_i < E_0}}; gradient {@code g} of
 *       {@code mean_{S1} H_i};
 *   <li>SAM's first step: {@code theta' = theta + rho * g / (||g|| + 1e-12)}, the norm over all
 *       adapted parameters together;
 *   <li>second forward at {@code theta'} (batch statistics again); {@code S2 = {i in S1 :
 *       H'_i < E_0}}; gradient {@code g'} of {@code mean_{S2} H'_i};
 *   <li>SAM's second step: back to {@code theta}, then one SGD step along {@code g'};
 *   <li>{@code e <- 0.9 e + 0.1 mean_{S2} H'_i} ({@code update_ema}; the first value is taken
 *       as is; skipped when {@code S2} is empty), kept in the state as {@value #EMA};
 *   <li>recovery: when {@code e < e_m}, the scales, biases and optimizer go back to the
 *       source's and the diagnostics say {@code reset}.
 * </ol>
 * Two behaviours of the official code that look accidental are kept, because fidelity is
 * measured against it: with {@code S1} or {@code S2} empty the gradient is zero but the SGD
 * step is still taken, so momentum keeps moving the parameters (PyTorch fills the gradients with
 * zeros, it does not skip the step); and after a recovery the moving average keeps its low value
 * ({@code SAR.forward} assigns the returned {@code ema} after {@code reset()} cleared it), so the
 * next batches must raise it above {@code e_m} again. {@code samplesUsed} is {@code |S2|}.
 *
 * <p>Attune additions, which do not change SAR's predictions: the running batch statistics of
 * {@link Tent} (published for batch-size-1 edges, and not reset by a recovery, because they
 * estimate the target data, not the collapsed parameters), and an optional {@link SampleMask}
 * that restricts {@code S1}.
 *
 * @see Config
 */
public final class Sar implements AdaptationMethod {

  /** State extra: the moving average {@code e} of the second pass's loss, {@code [1]}. */
  public static final String EMA = "sar.ema";
  /** Weight of the old value in {@code update_ema}. */
  static final double EMA_DECAY = 0.9;
  /** Added to the gradient norm in SAM's first step ({@code sam.py}). */
  private static final double NORM_EPSILON = 1e-12;

  /**
   * SAR's hyperparameters. Official defaults ({@code sar.py}, {@code sam.py}, {@code main.py}):
   * {@code E_0 = 0.4 ln 1000}, {@code rho = 0.05}, {@code e_m = 0.2}, SGD with momentum 0.9 and
   * lr 0.00025 for batch sizes from 32 up (ResNet-50; {@code 0.00025 / 64 * bs * 2} below 32).
   *
   * @param optimizer SAM's base optimizer; SGD with momentum 0.9 as the official code
   * @param entropyMargin {@code E_0} in nats, > 0
   * @param rho radius of SAM's perturbation, >= 0 (0 turns SAR into reliable entropy
   *     minimization with the second pass at the same point)
   * @param resetThreshold {@code e_m} in nats, >= 0: recover when the moving average falls
   *     below it (0 never recovers)
   * @param frozenModules substrings of module names whose normalization layers keep their source
   *     parameters; the module is the scale's initializer name without {@code .weight}
   * @param statsMomentum weight of each batch in the published running statistics, in (0, 1]
   */
  public record Config(Sgd optimizer, float entropyMargin, float rho, float resetThreshold,
      List<String> frozenModules, float statsMomentum) {

    public Config {
      new ConfigProblems("sar")
          .require(optimizer != null, "optimizer is missing")
          .require(entropyMargin > 0, "entropyMargin must be > 0 nats, got " + entropyMargin)
          .require(rho >= 0 && Float.isFinite(rho), "rho must be finite and >= 0, got " + rho)
          .require(resetThreshold >= 0 && Float.isFinite(resetThreshold),
              "resetThreshold must be finite and >= 0, got " + resetThreshold)
          .require(frozenModules != null, "frozenModules is missing (use an empty list)")
          .require(statsMomentum > 0 && statsMomentum <= 1,
              "statsMomentum must be in (0, 1], got " + statsMomentum)
          .throwIfAny();
      frozenModules = List.copyOf(frozenModules);
    }

    /**
     * The official setting scaled to {@code classes}: {@code E_0 = 0.4 ln C} and
     * {@code e_m = 0.2 ln C / ln 1000}. The paper fixes {@code e_m = 0.2} for ImageNet (the code
     * even hard-codes {@code ema < 0.2}, ignoring its {@code reset_constant_em}), where
     * entropies reach {@code ln 1000 = 6.9}; a 10-class model's entropies stop at 2.3 and its
     * reliable samples average below 0.2 nats on clean data, so the unscaled constant recovers a
     * healthy model on every batch (on the reference model's first 60 clean test batches it
     * did, 60 times out of 60, and SAR degenerated into norm). Scaling it like {@code E_0}
     * keeps its meaning (3% of the largest entropy) and never fired there.
     * {@code rho = 0.05}. Frozen modules: the official {@code collect_params} list
     * ({@code layer4}, {@code blocks.9}, {@code blocks.10}, {@code blocks.11}, {@code norm.}:
     * the top of ResNet-50 and ViT-Base), which freezes nothing in models without those names,
     * such as the reference model.
     *
     * <p>Optimizer: SGD with momentum 0.9 and lr 0.00025 ({@link Eata#OFFICIAL_LR}), what the
     * official {@code main.py} gives ResNet-50 (BN and GN) at batch sizes from 32 up. Below 32
     * it uses {@code 0.00025 / 64 * bs * 2}, doubled again for SAR at batch size 1, and ViT-Base
     * gets {@code 0.001 / 64 * bs}; a method here does not know the batch size, so that rule is
     * left to whoever builds a {@link Config} for small batches. Attune first used the paper's
     * CIFAR-10 EATA rate, 0.005, which SAR's code has no setting for; over the 17 corruptions
     * at severity 5 (1,000 images each, batch 64, reset per corruption) it gave 24.09% mean
     * error, the official rate 24.83%, norm 25.08%.
     */
    public static Config defaults(int classes) {
      if (classes < 2) {
        throw new IllegalArgumentException("sar needs at least 2 classes, got " + classes);
      }
      double lnC = Math.log(classes);
      return new Config(Eata.Config.defaults(classes).optimizer(), (float) (0.4 * lnC), 0.05f,
          (float) (0.2 * lnC / Math.log(1000)),
          List.of("layer4", "blocks.9", "blocks.10", "blocks.11", "norm."), 0.1f);
    }
  }

  private final AdaptationStep sessions;
  private final ParameterLayout layout;
  private final int classes;
  private final Config config;
  private final SampleMask mask;
  private final boolean[] adapted;

  public Sar(AdaptationStep sessions, ParameterLayout layout, int classes, Config config,
      SampleMask mask) {
    this.sessions = sessions;
    this.layout = layout;
    this.classes = classes;
    this.config = config;
    this.mask = mask;
    this.adapted = adaptedParameters(layout, config.frozenModules());
  }

  @Override
  public String name() {
    return "sar";
  }

  @Override
  public MethodState initialState() {
    return layout.sourceState(config.optimizer().initialState(layout.affineSize()));
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    int n = batch.size();
    float[] affine = state.affine();
    try (AdaptationStep.Forward fwd = sessions.forward(batch.inputs(), n,
        layout.named(affine, state.means(), state.vars()), 0f)) {
      float[] logits = fwd.logits();
      float[] entropies = Entropy.perSample(logits, n, classes);
      boolean[] reliable = SampleSelection.reliable(entropies, config.entropyMargin(),
          mask.keep(batch, logits));
      float[] perturbed = ascend(affine, meanEntropyGradient(fwd, logits, reliable),
          config.rho());
      SecondPass second = secondPass(batch, perturbed, state, reliable);
      Optimizer.Update update = config.optimizer().step(affine, second.gradient(),
          state.optimizer());
      double ema = updateEma(state.extra(EMA), second.loss());
      boolean reset = !Double.isNaN(ema) && ema < config.resetThreshold();
      if (reset) {
        update = new Optimizer.Update(layout.sourceAffine(),
            config.optimizer().initialState(layout.affineSize()));
      }
      float m = config.statsMomentum();
      float[] means = Norm.mix(layout.flattenStatistics(fwd::batchMean), state.means(), m);
      float[] vars = Norm.mix(layout.flattenStatistics(fwd::batchVar), state.vars(), m);
      MethodState next = new MethodState(state.version() + 1, update.params(), means, vars,
          update.state(), withEma(state.extras(), ema));
      return new Step(next, new Outputs(Entropy.softmax(logits, n, classes), classes,
          next.version(), layout.named(update.params(), means, vars),
          new Outputs.Diagnostics(n, second.used(), Source.mean(entropies), reset,
              layout.batchStatistics(fwd))));
    }
  }

  /** The second pass's gradient, loss (NaN when nothing passed) and sample count. */
  private record SecondPass(float[] gradient, double loss, int used) {}

  private SecondPass secondPass(Batch batch, float[] perturbed, MethodState state,
      boolean[] reliable) {
    int n = batch.size();
    try (AdaptationStep.Forward fwd = sessions.forward(batch.inputs(), n,
        layout.named(perturbed, state.means(), state.vars()), 0f)) {
      float[] logits = fwd.logits();
      float[] entropies = Entropy.perSample(logits, n, classes);
      boolean[] selected = SampleSelection.reliable(entropies, config.entropyMargin(), reliable);
      return new SecondPass(meanEntropyGradient(fwd, logits, selected),
          SampleSelection.selectedMean(entropies, selected), SampleSelection.count(selected));
    }
  }

  /**
   * Gradient of the mean entropy of the {@code selected} samples over the adapted parameters;
   * zeros when none is selected (what PyTorch's backward of an empty mean leaves).
   */
  private float[] meanEntropyGradient(AdaptationStep.Forward fwd, float[] logits,
      boolean[] selected) {
    if (SampleSelection.count(selected) == 0) {
      return new float[layout.affineSize()];
    }
    float[] grad = layout.flattenAffine(sessions.backward(fwd, Entropy.weightedGradient(logits,
        fwd.batch(), classes, SampleSelection.meanWeights(selected)), null));
    for (int j = 0; j < grad.length; j++) {
      if (!adapted[j]) {
        grad[j] = 0;
      }
    }
    return grad;
  }

  /** SAM's first step: {@code theta + rho * g / (||g|| + 1e-12)}. */
  static float[] ascend(float[] affine, float[] grad, float rho) {
    double norm = 0;
    for (float g : grad) {
      norm += (double) g * g;
    }
    double scale = rho / (Math.sqrt(norm) + NORM_EPSILON);
    float[] out = affine.clone();
    for (int j = 0; j < out.length; j++) {
      out[j] += (float) (grad[j] * scale);
    }
    return out;
  }

  /**
   * {@code update_ema}: the loss itself when there is no average yet, {@code 0.9 e + 0.1 loss}
   * after that; unchanged when the loss is NaN (no sample passed both filters).
   *
   * @param ema the stored average ({@code [1]}), or null before the first value
   * @return the new average, NaN while there is none
   */
  static double updateEma(float[] ema, double loss) {
    if (Double.isNaN(loss)) {
      return ema == null ? Double.NaN : ema[0];
    }
    return ema == null ? loss : EMA_DECAY * ema[0] + (1 - EMA_DECAY) * loss;
  }

  private static Map<String, float[]> withEma(Map<String, float[]> extras, double ema) {
    Map<String, float[]> out = new HashMap<>(extras);
    if (!Double.isNaN(ema)) {
      out.put(EMA, new float[] {(float) ema});
    }
    return out;
  }

  /** False for the scales and biases of layers in a frozen module. */
  static boolean[] adaptedParameters(ParameterLayout layout, List<String> frozenModules) {
    boolean[] adapted = new boolean[layout.affineSize()];
    int offset = 0;
    for (BundleManifest.Layer l : layout.layers()) {
      String module = l.scale().endsWith(".weight")
          ? l.scale().substring(0, l.scale().length() - ".weight".length()) : l.scale();
      boolean frozen = frozenModules.stream().anyMatch(module::contains);
      java.util.Arrays.fill(adapted, offset, offset + 2 * l.channels(), !frozen);
      offset += 2 * l.channels();
    }
    return adapted;
  }
}
