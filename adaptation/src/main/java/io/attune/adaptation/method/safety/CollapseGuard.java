package io.attune.adaptation.method.safety;

import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.ConfigProblems;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.method.ParameterLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * Resets any method to its initial state when its predictions collapse, judged from its outputs
 * alone over the last {@code window} batches (this one included):
 * <ul>
 *   <li>entropy collapse: the mean of the batches' mean prediction entropies is below
 *       {@code entropyFloor} nats (SAR's recovery signal, there computed on the filtered loss);
 *   <li>class collapse: the predicted classes of those batches, pooled into one histogram, have a
 *       normalized entropy {@code H(hist) / ln C} below {@code diversityFloor}: the predictions
 *       concentrate on about {@code C^diversityFloor} classes or fewer, the trivial solution
 *       entropy minimization collapses into (SAR paper, Sec. 4).
 * </ul>
 * Nothing is judged until the window is full, so a reset (or the stream's start) is followed by
 * {@code window} batches of grace. On a reset the batch keeps the predictions it was given, the
 * state becomes the wrapped method's initial one with the version still counting up, the
 * published parameters are the initial ones, and the diagnostics say {@code reset}.
 *
 * <p>The window is kept in the state as {@value #ENTROPY} (ring of batch mean entropies),
 * {@value #HISTOGRAM} (ring of per-batch class counts) and {@value #CURSOR} (next slot and
 * batches seen). The wrapped method never sees these entries.
 */
public final class CollapseGuard implements AdaptationMethod {

  /** State extra: the window's batch mean entropies, {@code [window]}, a ring. */
  public static final String ENTROPY = "guard.entropy";
  /** State extra: the window's predicted-class counts, {@code [window, classes]}, a ring. */
  public static final String HISTOGRAM = "guard.histogram";
  /** State extra: {@code [next slot, batches seen (at most window)]}. */
  public static final String CURSOR = "guard.cursor";
  private static final String PREFIX = "guard.";

  /**
   * @param window batches the judgement pools, >= 1
   * @param entropyFloor nats, >= 0; 0 turns the entropy check off
   * @param diversityFloor normalized entropy of the pooled predicted-class histogram, in [0, 1];
   *     0 turns the class check off
   */
  public record Config(int window, float entropyFloor, float diversityFloor) {
    public Config {
      new ConfigProblems("guard")
          .require(window >= 1, "window must be >= 1 batch, got " + window)
          .require(entropyFloor >= 0 && Float.isFinite(entropyFloor),
              "entropyFloor must be finite and >= 0 nats, got " + entropyFloor)
          .require(diversityFloor >= 0 && diversityFloor <= 1,
              "diversityFloor must be in [0, 1], got " + diversityFloor)
          .throwIfAny();
    }

    /**
     * Ten batches (640 samples at batch 64); {@code entropyFloor = 0.2 ln C / ln 1000}, SAR's
     * recovery constant {@code e_m = 0.2} scaled from ImageNet's 1000 classes like
     * {@code E_0}; {@code diversityFloor = 0.3}, i.e. two effective classes out of ten.
     */
    public static Config defaults(int classes) {
      if (classes < 2) {
        throw new IllegalArgumentException("guard needs at least 2 classes, got " + classes);
      }
      return new Config(10, (float) (0.2 * Math.log(classes) / Math.log(1000)), 0.3f);
    }
  }

  private final AdaptationMethod inner;
  private final ParameterLayout layout;
  private final Config config;

  public CollapseGuard(AdaptationMethod inner, ParameterLayout layout, Config config) {
    this.inner = inner;
    this.layout = layout;
    this.config = config;
  }

  @Override
  public String name() {
    return inner.name() + "+guard";
  }

  @Override
  public MethodState initialState() {
    return inner.initialState();
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    Step step = inner.step(without(state), batch);
    Outputs o = step.outputs();
    Window window = Window.of(state, config.window(), o.classes())
        .add(o.diagnostics().meanEntropy(), predictedCounts(o));
    MethodState s = step.state();
    if (!window.full() || !collapsed(window, o.classes())) {
      Map<String, float[]> extras = new HashMap<>(s.extras());
      extras.putAll(window.extras());
      return new Step(new MethodState(s.version(), s.affine(), s.means(), s.vars(),
          s.optimizer(), extras), o);
    }
    MethodState init = inner.initialState();
    MethodState reset = new MethodState(s.version(), init.affine(), init.means(), init.vars(),
        init.optimizer(), init.extras());
    return new Step(reset, new Outputs(o.probabilities(), o.classes(), o.version(),
        layout.named(init.affine(), init.means(), init.vars()),
        o.diagnostics().withReset(true)));
  }

  /** Whether a full window shows entropy or class collapse. */
  boolean collapsed(Window window, int classes) {
    return window.meanEntropy() < config.entropyFloor()
        || window.classDiversity(classes) < config.diversityFloor();
  }

  private static float[] predictedCounts(Outputs o) {
    int c = o.classes();
    float[] counts = new float[c];
    float[] p = o.probabilities();
    for (int r = 0; r < p.length / c; r++) {
      int best = 0;
      for (int k = 1; k < c; k++) {
        if (p[r * c + k] > p[r * c + best]) {
          best = k;
        }
      }
      counts[best]++;
    }
    return counts;
  }

  private static MethodState without(MethodState state) {
    Map<String, float[]> extras = new HashMap<>(state.extras());
    extras.keySet().removeIf(k -> k.startsWith(PREFIX));
    return new MethodState(state.version(), state.affine(), state.means(), state.vars(),
        state.optimizer(), extras);
  }

  /**
   * The last {@code size} batches: their mean entropies and class counts in rings, the next slot
   * and how many batches were seen (capped at {@code size}).
   */
  record Window(float[] entropies, float[] counts, int next, int seen) {

    /** The stored window, or an empty one when there is none or it was sized differently. */
    static Window of(MethodState state, int size, int classes) {
      float[] e = state.extra(ENTROPY);
      float[] h = state.extra(HISTOGRAM);
      float[] cursor = state.extra(CURSOR);
      if (e == null || h == null || cursor == null || e.length != size
          || h.length != size * classes) {
        return new Window(new float[size], new float[size * classes], 0, 0);
      }
      return new Window(e, h, (int) cursor[0], (int) cursor[1]);
    }

    Window add(float meanEntropy, float[] batchCounts) {
      int size = entropies.length;
      int classes = batchCounts.length;
      float[] e = entropies.clone();
      float[] h = counts.clone();
      e[next] = meanEntropy;
      System.arraycopy(batchCounts, 0, h, next * classes, classes);
      return new Window(e, h, (next + 1) % size, Math.min(size, seen + 1));
    }

    boolean full() {
      return seen == entropies.length;
    }

    double meanEntropy() {
      double s = 0;
      for (float v : entropies) {
        s += v;
      }
      return s / entropies.length;
    }

    /** Entropy of the pooled class histogram over {@code ln C}: 1 uniform, 0 one class. */
    double classDiversity(int classes) {
      double[] pooled = new double[classes];
      double total = 0;
      for (int i = 0; i < counts.length; i++) {
        pooled[i % classes] += counts[i];
        total += counts[i];
      }
      double h = 0;
      for (double c : pooled) {
        if (c > 0) {
          h -= c / total * Math.log(c / total);
        }
      }
      return h / Math.log(classes);
    }

    Map<String, float[]> extras() {
      return Map.of(ENTROPY, entropies, HISTOGRAM, counts, CURSOR, new float[] {next, seen});
    }
  }
}
