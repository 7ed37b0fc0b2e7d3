package io.attune.adaptation.onnx.internal;

/**
 * The classifier head: the last affine layer, {@code logits = features . W^T + b}.
 *
 * @param logits the tensor holding the logits (before any final Softmax)
 * @param features the penultimate features, {@code [N, D]}, input of the head
 * @param weights head weights as {@code [classes, D]}, row-major
 * @param bias head bias, {@code [classes]} (zeros when the head has none)
 * @param classes number of classes
 * @param dim D
 */
public record Head(String logits, String features, float[] weights, float[] bias, int classes,
    int dim) {}
