package io.attune.adaptation.onnx.internal;

/**
 * One normalization layer of a model: a BatchNormalization node whose four parameters are
 * constants, named as in the source model so that users recognise them.
 *
 * @param index position among the model's normalization layers, in graph order
 * @param node name of the BatchNormalization node (or its output when unnamed)
 * @param input the normalized tensor, {@code [N, C, ...]}
 * @param output the layer's output tensor
 * @param scale initializer holding gamma
 * @param bias initializer holding beta
 * @param mean initializer holding the source (running) mean
 * @param var initializer holding the source (running) variance
 * @param epsilon added to the variance
 * @param channels C
 */
public record NormLayer(int index, String node, String input, String output, String scale,
    String bias, String mean, String var, float epsilon, int channels) {}
