package io.attune.edge.internal;

import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.method.KnnVote;

/**
 * A verified memory an edge predicts with instead of the model's head: class probabilities from
 * the edge graph's penultimate features, as the worker's method predicts.
 */
public sealed interface EdgeMemory {

  /**
   * @param features {@code [count, dim]} penultimate features of the edge graph
   * @return {@code [count, classes]} probabilities
   */
  float[] probabilities(float[] features, int count);

  /** T3A: {@code softmax(z . prototype_c)}; {@code prototypes} {@code [classes, dim]}. */
  record Prototypes(float[] prototypes, int classes, int dim) implements EdgeMemory {
    @Override
    public float[] probabilities(float[] features, int count) {
      float[] logits = new float[count * classes];
      for (int i = 0; i < count; i++) {
        for (int c = 0; c < classes; c++) {
          float dot = 0;
          for (int d = 0; d < dim; d++) {
            dot += features[i * dim + d] * prototypes[c * dim + d];
          }
          logits[i * classes + c] = dot;
        }
      }
      return Entropy.softmax(logits, count, classes);
    }
  }

  /**
   * AdaNPC: the kNN vote over the device bundle's source memory and the published test
   * entries ({@code [T, dim]} unit vectors), by the adaptation module's own {@link KnnVote}.
   */
  record Knn(KnnVote vote, float[] entries, int[] labels, int k, float temperature)
      implements EdgeMemory {
    @Override
    public float[] probabilities(float[] features, int count) {
      return vote.probabilities(features, count, entries, labels, k, temperature);
    }
  }
}
