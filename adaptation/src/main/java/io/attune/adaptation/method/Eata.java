package io.attune.adaptation.method;

import io.attune.adaptation.method.optim.Optimizer;
import io.attune.adaptation.method.optim.Sgd;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.HashMap;
import java.util.Map;

/**
 * EATA (Niu et al., "Efficient Test-Time Model Adaptation without Forgetting", ICML 2022):
 * entropy minimization of the normalization scales and biases, with batch statistics, on the
 * reliable and non-redundant samples only, re-weighted by confidence, and held near the source
 * parameters by a Fisher regularizer. One step per batch, as the official
 * {@code forward_and_adapt_eata}:
 * <ol>
 *   <li>forward with batch statistics; the batch is predicted with the parameters from before
 *       its update;
 *   <li>reliable: {@code H_i < E_0};
 *   <li>non-redundant: {@code |cos(p_i, m)| < eps}, where {@code m} is the moving average of the
 *       probabilities of earlier selections (skipped while there is none);
 *   <li>{@code m <- 0.9 m + 0.1 mean(p_selected)}, or the mean itself the first time
 *       ({@code update_model_probs}); kept in the state as {@value #AVERAGE};
 *   <li>loss {@code (1/|S|) sum_{i in S} H_i / exp(H_i - E_0)
 *       + beta * sum_j F_j (theta_j - theta0_j)^2}, with {@code F} from
 *       {@link FisherInformation} on clean source images and {@code theta0} the source
 *       parameters; one SGD step. When nothing is selected there is no backward and no step,
 *       so momentum does not move the parameters either.
 * </ol>
 * {@code samplesUsed} in the diagnostics is {@code |S|}.
 *
 * <p>The Fisher information is a constant of the model and its clean images, so it lives in
 * the method (computed once, deterministically, in the constructor), not in the state that is
 * serialized every batch: a worker rebuilding the method from the same bundle gets the same
 * vector bit for bit.
 *
 * <p>As in {@link Tent}, Attune additionally keeps an exponential moving average of the batch
 * statistics (momentum {@code statsMomentum}) and publishes it with the adapted scales and
 * biases for batch-size-1 edges; EATA's own predictions do not use it.
 *
 * @see Config
 */
public final class Eata implements AdaptationMethod {

  /** State extra: the moving average of selected samples' probabilities, {@code [classes]}. */
  public static final String AVERAGE = "eata.probs";

  /**
   * The learning rate of the official EATA and SAR code for BN ResNet-50 at batch size 64 (SGD,
   * momentum 0.9).
   */
  public static final float OFFICIAL_LR = 0.00025f;

  /**
   * EATA's hyperparameters. The paper (Sec. 5, implementation details) publishes two settings;
   * the official scripts carry only the ImageNet one, and the CIFAR-10 values of {@code eps}
   * and {@code beta} are also those of the CIFAR-10 configs of mariodoebler/test-time-adaptation
   * ({@code cfgs/cifar10_c/eata.yaml}: {@code D_MARGIN 0.4}, {@code FISHER_ALPHA 1}, there with
   * Adam, lr 1e-3 and batch 200). {@link #defaults} takes the official code's values; see there:
   * <table>
   *   <caption>published settings, batch size 64, SGD with momentum 0.9</caption>
   *   <tr><th></th><th>CIFAR-10 (10 classes)</th><th>ImageNet (1000 classes)</th></tr>
   *   <tr><td>{@code E_0}</td><td>0.4 ln 10</td><td>0.4 ln 1000 ({@code --e_margin})</td></tr>
   *   <tr><td>{@code eps}</td><td>0.4</td><td>0.05 ({@code --d_margin})</td></tr>
   *   <tr><td>{@code beta}</td><td>1</td><td>2000 ({@code --fisher_alpha})</td></tr>
   *   <tr><td>lr</td><td>0.005</td><td>0.00025 (main.py's SGD)</td></tr>
   * </table>
   *
   * @param optimizer the update rule; the official code's is SGD, momentum 0.9, lr 0.00025
   * @param entropyMargin {@code E_0} in nats, > 0: samples with {@code H >= E_0} are unreliable
   * @param redundancyMargin {@code eps}, > 0: samples with {@code |cos| >= eps} to the moving
   *     average are redundant; cosines of probability vectors lie in [0, 1], so values above 1
   *     turn the filter off
   * @param fisherAlpha {@code beta}, the weight of the Fisher regularizer, >= 0
   * @param fisherBatch images per batch when estimating the Fisher information, >= 1
   * @param statsMomentum weight of each batch in the published running statistics, in (0, 1]
   */
  public record Config(Sgd optimizer, float entropyMargin, float redundancyMargin,
      float fisherAlpha, int fisherBatch, float statsMomentum) {

    public Config {
      new ConfigProblems("eata")
          .require(optimizer != null, "optimizer is missing")
          .require(entropyMargin > 0, "entropyMargin must be > 0 nats, got " + entropyMargin)
          .require(redundancyMargin > 0, "redundancyMargin must be > 0, got " + redundancyMargin)
          .require(fisherAlpha >= 0 && Float.isFinite(fisherAlpha),
              "fisherAlpha must be finite and >= 0, got " + fisherAlpha)
          .require(fisherBatch >= 1, "fisherBatch must be >= 1, got " + fisherBatch)
          .require(statsMomentum > 0 && statsMomentum <= 1,
              "statsMomentum must be in (0, 1], got " + statsMomentum)
          .throwIfAny();
    }

    /**
     * The official code's setting ({@code main.py}, {@code eata.py}), with the two constants
     * that depend on the number of classes {@code C} scaled to it:
     * <ul>
     *   <li>SGD with momentum 0.9 and lr 0.00025, as {@code main.py} builds it for every run
     *       (hard-coded, not scaled with the batch size); batch size 64;
     *   <li>{@code beta = 2000} ({@code --fisher_alpha}), Fisher information from 2,000 clean
     *       images ({@code --fisher_size}) in batches of 64;
     *   <li>{@code E_0 = 0.4 ln C} (the code's {@code --e_margin} is {@code 0.4 ln 1000}: with
     *       it, every sample of a 10-class model would be reliable, since no entropy exceeds
     *       {@code ln 10 = 2.3});
     *   <li>{@code eps = k / sqrt(C)}, because the cosine of a confident prediction to a
     *       class-balanced average is about {@code 1/sqrt(C)} (0.32 for 10 classes, so the
     *       code's 0.05 would reject every sample after the first batch), with {@code k}
     *       interpolated in {@code log C} between the paper's two settings so that both come
     *       back exactly (0.4 at 10 classes, 0.05 at 1000).
     * </ul>
     * Deviation history, measured on the reference model: Attune first took the paper's
     * CIFAR-10 lr 0.005 and {@code beta = 1} below 1000 classes. With {@code beta = 1} the
     * Fisher term was inert (EATA and ETA made the same predictions, 8.32% error on the clean
     * test split), and a full pass over clean data cost 0.72 pp over the source's 7.60%, above
     * the 0.5 pp that the issue allows; test-time BN alone costs 0.31 pp there (7.91%). With
     * the official lr 0.00025 and {@code beta = 2000} the pass costs 0.33 pp (7.93%); over the
     * 17 corruptions at severity 5 (1,000 images each, batch 64, reset per corruption) the mean
     * error is 24.74% against norm's 25.08% (lr 0.005: 23.68%, lr 0.001: 24.45%). Larger
     * learning rates buy a point on shifted data with more than the allowed cost on clean
     * data, and they are not what the authors' code runs.
     */
    public static Config defaults(int classes) {
      if (classes < 2) {
        throw new IllegalArgumentException("eata needs at least 2 classes, got " + classes);
      }
      return new Config(new Sgd(OFFICIAL_LR, 0.9f, 0f, 0f, false),
          (float) (0.4 * Math.log(classes)), redundancyMargin(classes), 2000f, 64, 0.1f);
    }

    /** {@code eps(C) = k(C) / sqrt(C)}, {@code k} log-linear through (10, 0.4), (1000, 0.05). */
    static float redundancyMargin(int classes) {
      double k10 = 0.4 * Math.sqrt(10);
      double k1000 = 0.05 * Math.sqrt(1000);
      double t = Math.min(1, Math.max(0, (Math.log10(classes) - 1) / 2));
      return (float) ((k10 + t * (k1000 - k10)) / Math.sqrt(classes));
    }
  }

  private final AdaptationStep sessions;
  private final ParameterLayout layout;
  private final int classes;
  private final Config config;
  private final SampleMask mask;
  private final float[] fisher;
  private final float[] anchor;
  private final String name;

  /**
   * EATA with its Fisher regularizer, estimated here from {@code fisherImages} (the official
   * code uses 2,000 clean images).
   */
  public Eata(AdaptationStep sessions, ParameterLayout layout, int classes, Config config,
      SourceImages fisherImages, SampleMask mask) {
    this(sessions, layout, classes, config, mask, FisherInformation.estimate(sessions, layout,
        classes, fisherImages, config.fisherBatch()), "eata");
  }

  private Eata(AdaptationStep sessions, ParameterLayout layout, int classes, Config config,
      SampleMask mask, float[] fisher, String name) {
    this.sessions = sessions;
    this.layout = layout;
    this.classes = classes;
    this.config = config;
    this.mask = mask;
    this.fisher = fisher;
    this.anchor = layout.sourceAffine();
    this.name = name;
  }

  /**
   * ETA, EATA without the Fisher regularizer (the official {@code --algorithm eta}); needs no
   * source images.
   */
  public static Eata withoutRegularizer(AdaptationStep sessions, ParameterLayout layout,
      int classes, Config config, SampleMask mask) {
    return new Eata(sessions, layout, classes, config, mask, new float[layout.affineSize()],
        "eta");
  }

  @Override
  public String name() {
    return name;
  }

  /** The Fisher information the regularizer weighs parameters by (zeros for ETA). */
  public float[] fisher() {
    return fisher.clone();
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
      float[] probabilities = Entropy.softmax(logits, n, classes);
      float[] entropies = Entropy.perSample(logits, n, classes);
      float[] average = state.extra(AVERAGE);
      boolean[] selected = select(probabilities, entropies, average, mask.keep(batch, logits));
      int used = SampleSelection.count(selected);
      Optimizer.Update update = used == 0
          ? new Optimizer.Update(state.affine(), state.optimizer())
          : config.optimizer().step(state.affine(),
              gradient(fwd, logits, entropies, selected, state.affine()), state.optimizer());
      float m = config.statsMomentum();
      float[] means = Norm.mix(layout.flattenStatistics(fwd::batchMean), state.means(), m);
      float[] vars = Norm.mix(layout.flattenStatistics(fwd::batchVar), state.vars(), m);
      MethodState next = new MethodState(state.version() + 1, update.params(), means, vars,
          update.state(), withAverage(state.extras(),
              SampleSelection.updateAverage(average, probabilities, classes, selected)));
      return new Step(next, new Outputs(probabilities, classes, next.version(),
          layout.named(update.params(), means, vars),
          new Outputs.Diagnostics(n, used, Source.mean(entropies), false,
              layout.batchStatistics(fwd))));
    }
  }

  /** Reliable samples, then, once there is a moving average, the non-redundant among them. */
  private boolean[] select(float[] probabilities, float[] entropies, float[] average,
      boolean[] keep) {
    boolean[] reliable = SampleSelection.reliable(entropies, config.entropyMargin(), keep);
    return average == null ? reliable : SampleSelection.nonRedundant(probabilities, classes,
        reliable, average, config.redundancyMargin());
  }

  /** Gradient of the weighted entropy plus {@code 2 beta F (theta - theta0)}. */
  private float[] gradient(AdaptationStep.Forward fwd, float[] logits, float[] entropies,
      boolean[] selected, float[] affine) {
    float[] weights = SampleSelection.eataWeights(entropies, selected, config.entropyMargin());
    float[] grad = layout.flattenAffine(sessions.backward(fwd,
        Entropy.weightedGradient(logits, fwd.batch(), classes, weights), null));
    float twoBeta = 2 * config.fisherAlpha();
    for (int j = 0; j < grad.length; j++) {
      grad[j] += twoBeta * fisher[j] * (affine[j] - anchor[j]);
    }
    return grad;
  }

  private static Map<String, float[]> withAverage(Map<String, float[]> extras, float[] average) {
    Map<String, float[]> out = new HashMap<>(extras);
    if (average != null) {
      out.put(AVERAGE, average);
    }
    return out;
  }
}
