package io.attune.edge;

/**
 * One sample's prediction on the edge.
 *
 * @param probabilities softmax of the logits, one per class; the array is the caller's
 * @param predictedClass index of the largest probability (the first, on ties)
 * @param entropy {@code -sum p log p} of {@code probabilities}, in nats
 * @param paramsVersion version of the parameters that computed it (0: source)
 * @param headEntropy the entropy of the model's own head on the sample, in nats: equal to
 *     {@code entropy} unless the device predicts with a published memory (T3A's prototypes,
 *     whose logits are far flatter). Upload filters judge samples on it: CEMA's thresholds
 *     are set for a trained head's confidence, and T3A picks its supports by the head's
 *     entropy too.
 */
public record Prediction(float[] probabilities, int predictedClass, float entropy,
    long paramsVersion, float headEntropy) {

  /** A prediction of the model's head itself. */
  public Prediction(float[] probabilities, int predictedClass, float entropy,
      long paramsVersion) {
    this(probabilities, predictedClass, entropy, paramsVersion, entropy);
  }
}
