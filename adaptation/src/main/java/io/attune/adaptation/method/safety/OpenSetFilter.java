package io.attune.adaptation.method.safety;

import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.ConfigProblems;
import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.method.ParameterLayout;
import io.attune.adaptation.method.SampleMask;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/**
 * The open-set filter of Lee et al., "Towards Open-Set Test-Time Adaptation Utilizing the Wisdom
 * of Crowds in Entropy Minimization" (ICCV 2023): a sample may drive entropy minimization only if
 * the adapted model is at least as confident in it as the original model,
 * <pre>
 *   keep_i  iff  p_adapted(y0_i | x_i) >= p_source(y0_i | x_i),   y0_i = argmax p_source(. | x_i)
 * </pre>
 * because most samples gain confidence as adaptation proceeds ("the wisdom of crowds") and those
 * that lose it are mostly noisy or out of distribution. Confidence is read on the class the
 * original model predicts, as in the public implementation ({@code cifar/ostta.py} of
 * gaozhengqing/UniEnt, published by Gao et al. with their CVPR 2024 follow-up; Lee et al.
 * released none that could be found): {@code values = outputs_[arange, indices0]},
 * {@code loss = entropys[values >= values0].mean(0)}. For samples whose prediction did not
 * change this is the max-probability comparison.
 *
 * <p>It needs the original model's probabilities of the same batch, one more forward pass. The
 * original model there is a copy of the model taken after {@code configure_model}, so it
 * normalizes with batch statistics and the source scales and biases: {@code sourceAlpha = 0}, the
 * default. {@code sourceAlpha = 1} compares with the source model and its own statistics instead,
 * which under a strong shift is so unsure that almost every sample passes.
 *
 * <p>Why a {@link SampleMask} and not a decorator: the filter changes which samples enter the
 * loss, inside the step, which a wrapper around {@code (state, batch) -> (state', outputs)}
 * cannot reach. TENT, EATA and SAR take the mask ({@code tent+openset} is
 * {@link io.attune.adaptation.method.Tent} with this filter as its mask).
 */
public final class OpenSetFilter implements SampleMask {

  /**
   * @param sourceAlpha statistics of the original model's forward, in [0, 1]: 0 batch
   *     statistics (the public implementation), 1 the source's running statistics
   */
  public record Config(float sourceAlpha) {
    public Config {
      new ConfigProblems("openset")
          .require(sourceAlpha >= 0 && sourceAlpha <= 1,
              "sourceAlpha must be in [0, 1], got " + sourceAlpha)
          .throwIfAny();
    }

    /** The public implementation's original model: source parameters, batch statistics. */
    public static Config defaults() {
      return new Config(0f);
    }
  }

  private final AdaptationStep sessions;
  private final int classes;
  private final Config config;
  private final Map<String, float[]> source;

  public OpenSetFilter(AdaptationStep sessions, ParameterLayout layout, int classes,
      Config config) {
    this.sessions = sessions;
    this.classes = classes;
    this.config = config;
    this.source = layout.named(layout.sourceAffine(), layout.sourceMeans(),
        layout.sourceVars());
  }

  @Override
  public boolean[] keep(Batch batch, float[] logits) {
    float[] sourceLogits;
    try (AdaptationStep.Forward fwd = sessions.forward(batch.inputs(), batch.size(), source,
        config.sourceAlpha())) {
      sourceLogits = fwd.logits();
    }
    return compare(Entropy.softmax(logits, batch.size(), classes),
        Entropy.softmax(sourceLogits, batch.size(), classes), batch.size(), classes);
  }

  /**
   * The filter on probability vectors, {@code [N, classes]} each: true where the adapted model's
   * probability of the source's predicted class is at least the source's.
   */
  public static boolean[] compare(float[] adapted, float[] source, int rows, int classes) {
    boolean[] keep = new boolean[rows];
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      int y0 = 0;
      for (int c = 1; c < classes; c++) {
        if (source[base + c] > source[base + y0]) {
          y0 = c;
        }
      }
      keep[r] = adapted[base + y0] >= source[base + y0];
    }
    return keep;
  }
}
