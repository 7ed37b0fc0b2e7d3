package io.attune.adaptation.method;

import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Map;

/**
 * EATA's importance of each normalization scale and bias (Niu et al., ICML 2022, Eqn. 9): the
 * diagonal Fisher information of the source model, estimated as the official {@code main.py}
 * does before adaptation starts. Clean source images go through the source parameters with batch
 * statistics (the model is already configured for adaptation there), in consecutive batches; each
 * batch's cross-entropy against its own argmax pseudo-labels, averaged over the batch, is
 * differentiated, and the squared gradients are summed over batches and divided by the number of
 * batches:
 * <pre>
 *   F_j = (1/B) sum_b (d/dtheta_j [ (1/|b|) sum_{i in b} CE(z_i, argmax z_i) ])^2
 * </pre>
 * Official defaults: 2,000 images ({@code --fisher_size}) in batches of the test batch size, 64,
 * so 32 batches, the last one of 16. Deterministic: the images are taken in file order (the
 * official loader shuffles the clean set once, which only changes which images share a batch).
 */
public final class FisherInformation {

  private FisherInformation() {}

  /**
   * @param batch images per batch, at least 1 (official: the test batch size, 64)
   * @return one importance per affine parameter, laid out like {@link ParameterLayout}
   */
  public static float[] estimate(AdaptationStep sessions, ParameterLayout layout, int classes,
      SourceImages images, int batch) {
    Map<String, float[]> source = layout.named(layout.sourceAffine(), layout.sourceMeans(),
        layout.sourceVars());
    double[] sum = new double[layout.affineSize()];
    int batches = 0;
    for (int from = 0; from < images.count(); from += batch) {
      int n = Math.min(batch, images.count() - from);
      try (AdaptationStep.Forward fwd = sessions.forward(images.slice(from, n), n, source, 0f)) {
        float[] grad = layout.flattenAffine(sessions.backward(fwd,
            pseudoLabelCrossEntropyGradient(fwd.logits(), n, classes), null));
        for (int j = 0; j < sum.length; j++) {
          sum[j] += (double) grad[j] * grad[j];
        }
      }
      batches++;
    }
    float[] fisher = new float[sum.length];
    for (int j = 0; j < sum.length; j++) {
      fisher[j] = (float) (sum[j] / batches);
    }
    return fisher;
  }

  /**
   * Gradient with respect to the logits of {@code (1/N) sum_i CE(z_i, argmax z_i)}:
   * {@code (softmax(z_i) - onehot(argmax z_i)) / N}. The pseudo-label is a constant, as the
   * official code takes it from a detached {@code outputs.max(1)}.
   */
  static float[] pseudoLabelCrossEntropyGradient(float[] logits, int rows, int classes) {
    float[] p = Entropy.softmax(logits, rows, classes);
    float[] grad = new float[p.length];
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      int label = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[base + c] > logits[base + label]) {
          label = c;
        }
      }
      for (int c = 0; c < classes; c++) {
        grad[base + c] = (p[base + c] - (c == label ? 1f : 0f)) / rows;
      }
    }
    return grad;
  }
}
