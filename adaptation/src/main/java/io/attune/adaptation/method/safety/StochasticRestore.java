package io.attune.adaptation.method.safety;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.ConfigProblems;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.method.ParameterLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CoTTA's stochastic restoration (Wang et al., "Continual Test-Time Domain Adaptation", CVPR
 * 2022, Eqn. 5) around any gradient method: after each step, every adapted scale and bias is set
 * back to its source value with probability {@code p},
 * <pre>
 *   M ~ Bernoulli(p) elementwise;   theta &lt;- M * theta_source + (1 - M) * theta
 * </pre>
 * so that knowledge of the source never drifts away entirely in a long continual stream. As in
 * the official {@code cotta.py}, only the parameters are restored (not the optimizer's moments),
 * after the update, so the batch's own predictions are unaffected. Official default
 * {@code p = 0.01}.
 *
 * <p>Deterministic and resumable: the Bernoulli draws of the step that produces version
 * {@code v} come from a SplitMix64 stream seeded with {@code (seed, v)}. The version lives in the
 * state, so a restored state draws exactly what the uninterrupted run drew, with no generator
 * state to carry.
 */
public final class StochasticRestore implements AdaptationMethod {

  /**
   * @param probability {@code p}, the chance of each element being restored per step, in [0, 1]
   * @param seed seeds the Bernoulli draws together with the version
   */
  public record Config(float probability, long seed) {
    public Config {
      new ConfigProblems("restore")
          .require(probability >= 0 && probability <= 1,
              "probability must be in [0, 1], got " + probability)
          .throwIfAny();
    }

    /** CoTTA's {@code p = 0.01}, seed 0. */
    public static Config defaults() {
      return new Config(0.01f, 0L);
    }
  }

  private final AdaptationMethod inner;
  private final ParameterLayout layout;
  private final Config config;
  private final float[] source;

  public StochasticRestore(AdaptationMethod inner, ParameterLayout layout, Config config) {
    this.inner = inner;
    this.layout = layout;
    this.config = config;
    this.source = layout.sourceAffine();
  }

  @Override
  public String name() {
    return inner.name() + "+restore";
  }

  @Override
  public MethodState initialState() {
    return inner.initialState();
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    Step step = inner.step(state, batch);
    MethodState s = step.state();
    float[] restored = restore(s.affine(), source, mask(s.version(), source.length));
    MethodState next = new MethodState(s.version(), restored, s.means(), s.vars(), s.optimizer(),
        s.extras());
    Outputs o = step.outputs();
    return new Step(next, new Outputs(o.probabilities(), o.classes(), o.version(),
        withAffine(o.parameters(), restored), o.diagnostics()));
  }

  /** Which elements the step producing {@code version} restores. */
  boolean[] mask(long version, int size) {
    SplitMix64 random = new SplitMix64(config.seed(), version);
    boolean[] mask = new boolean[size];
    for (int i = 0; i < size; i++) {
      mask[i] = random.nextDouble() < config.probability();
    }
    return mask;
  }

  /** {@code mask ? source : params}, elementwise. */
  static float[] restore(float[] params, float[] source, boolean[] mask) {
    float[] out = params.clone();
    for (int i = 0; i < out.length; i++) {
      if (mask[i]) {
        out[i] = source[i];
      }
    }
    return out;
  }

  /** The published parameters with the scales and biases replaced. */
  private Map<String, float[]> withAffine(Map<String, float[]> parameters, float[] affine) {
    Map<String, float[]> out = new LinkedHashMap<>(parameters);
    int offset = 0;
    for (BundleManifest.Layer l : layout.layers()) {
      int c = l.channels();
      out.put(l.scale(), Arrays.copyOfRange(affine, offset, offset + c));
      out.put(l.bias(), Arrays.copyOfRange(affine, offset + c, offset + 2 * c));
      offset += 2 * c;
    }
    return out;
  }

  /**
   * SplitMix64 (Steele, Lea and Flood, 2014), written out so that the draws depend on this code
   * only and never on a JDK's generator.
   */
  static final class SplitMix64 {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    SplitMix64(long seed, long stream) {
      this.state = mix(seed) ^ mix(stream * GOLDEN + 1);
    }

    long nextLong() {
      state += GOLDEN;
      return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
      return (nextLong() >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }
}
