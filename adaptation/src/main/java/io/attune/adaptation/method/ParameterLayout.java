package io.attune.adaptation.method;

import io.attune.adaptation.bundle.BundleManifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each normalization layer's values sit in the flat vectors methods work on: affine
 * parameters as {@code [scale_0, bias_0, scale_1, bias_1, ...]}, statistics as
 * {@code [channels_0, channels_1, ...]}. Optimizers see one vector; the runtime sees names.
 */
public final class ParameterLayout {

  private final List<BundleManifest.Layer> layers;
  private final int[] channelOffsets;
  private final int channels;

  public ParameterLayout(List<BundleManifest.Layer> layers) {
    this.layers = List.copyOf(layers);
    this.channelOffsets = new int[layers.size()];
    int offset = 0;
    for (int i = 0; i < layers.size(); i++) {
      channelOffsets[i] = offset;
      offset += layers.get(i).channels();
    }
    this.channels = offset;
  }

  public List<BundleManifest.Layer> layers() {
    return layers;
  }

  /** Number of affine parameters (scales and biases). */
  public int affineSize() {
    return 2 * channels;
  }

  /** Number of channels over all layers, the length of a statistics vector. */
  public int channels() {
    return channels;
  }

  public float[] sourceAffine() {
    float[] flat = new float[affineSize()];
    for (int i = 0; i < layers.size(); i++) {
      BundleManifest.Layer l = layers.get(i);
      System.arraycopy(l.sourceScale(), 0, flat, 2 * channelOffsets[i], l.channels());
      System.arraycopy(l.sourceBias(), 0, flat, 2 * channelOffsets[i] + l.channels(),
          l.channels());
    }
    return flat;
  }

  public float[] sourceMeans() {
    float[] flat = new float[channels];
    for (int i = 0; i < layers.size(); i++) {
      System.arraycopy(layers.get(i).sourceMean(), 0, flat, channelOffsets[i],
          layers.get(i).channels());
    }
    return flat;
  }

  public float[] sourceVars() {
    float[] flat = new float[channels];
    for (int i = 0; i < layers.size(); i++) {
      System.arraycopy(layers.get(i).sourceVar(), 0, flat, channelOffsets[i],
          layers.get(i).channels());
    }
    return flat;
  }

  /** The state of a method that has seen nothing yet: the source model. */
  public MethodState sourceState(io.attune.adaptation.method.optim.Optimizer.OptimizerState
      optimizer) {
    return new MethodState(0, sourceAffine(), sourceMeans(), sourceVars(), optimizer,
        Map.of());
  }

  /** The source state of a gradient-free method, with no optimizer buffers. */
  public MethodState sourceState() {
    return sourceState(new io.attune.adaptation.method.optim.Optimizer.OptimizerState(
        new float[0], new float[0], 0));
  }

  /** The runtime's view: every parameter by initializer name. */
  public Map<String, float[]> named(float[] affine, float[] means, float[] vars) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      BundleManifest.Layer l = layers.get(i);
      int c = l.channels();
      int a = 2 * channelOffsets[i];
      out.put(l.scale(), java.util.Arrays.copyOfRange(affine, a, a + c));
      out.put(l.bias(), java.util.Arrays.copyOfRange(affine, a + c, a + 2 * c));
      out.put(l.mean(), java.util.Arrays.copyOfRange(means, channelOffsets[i],
          channelOffsets[i] + c));
      out.put(l.var(), java.util.Arrays.copyOfRange(vars, channelOffsets[i],
          channelOffsets[i] + c));
    }
    return out;
  }

  /** Gradients by initializer name, flattened like the affine parameters. */
  public float[] flattenAffine(Map<String, float[]> byName) {
    float[] flat = new float[affineSize()];
    for (int i = 0; i < layers.size(); i++) {
      BundleManifest.Layer l = layers.get(i);
      System.arraycopy(byName.get(l.scale()), 0, flat, 2 * channelOffsets[i], l.channels());
      System.arraycopy(byName.get(l.bias()), 0, flat, 2 * channelOffsets[i] + l.channels(),
          l.channels());
    }
    return flat;
  }

  /** The batch statistics a forward measured at every layer, for {@link Outputs}. */
  public Outputs.BatchStatistics batchStatistics(
      io.attune.adaptation.runtime.AdaptationStep.Forward forward) {
    return new Outputs.BatchStatistics(flattenStatistics(forward::batchMean),
        flattenStatistics(forward::batchVar));
  }

  /** Per-layer statistics read from a forward, flattened. */
  public float[] flattenStatistics(java.util.function.IntFunction<float[]> perLayer) {
    float[] flat = new float[channels];
    for (int i = 0; i < layers.size(); i++) {
      System.arraycopy(perLayer.apply(layers.get(i).index()), 0, flat, channelOffsets[i],
          layers.get(i).channels());
    }
    return flat;
  }
}
