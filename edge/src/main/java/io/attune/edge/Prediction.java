package io.attune.edge;

/**
 * One sample's prediction on the edge.
 *
 * @param probabilities softmax of the logits, one per class; the array is the caller's
 * @param predictedClass index of the largest probability (the first, on ties)
 * @param entropy {@code -sum p log p} of {@code probabilities}, in nats
 * @param paramsVersion version of the parameters that computed it (0: source)
 */
public record Prediction(float[] probabilities, int predictedClass, float entropy,
    long paramsVersion) {}
