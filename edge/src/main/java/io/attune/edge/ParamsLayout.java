package io.attune.edge;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.edge.internal.Float32;
import io.attune.schemas.LayerParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A bundle's normalization layers as the {@code layers} of a NormParamsUpdate: one
 * {@link LayerParams} per layer, in graph order, named by the normalization node, each of
 * scale, bias, mean and var a FLOAT32 tensor of shape {@code [channels]}. What publishers (and
 * tests, and simulators) use to build updates; the edge checks incoming ones against the same
 * layout.
 */
public final class ParamsLayout {

  private final List<BundleManifest.Layer> layers;

  public ParamsLayout(BundleManifest manifest) {
    this.layers = List.copyOf(manifest.layers());
  }

  /** The layers, in graph order. */
  public List<BundleManifest.Layer> layers() {
    return layers;
  }

  /**
   * The update layers of {@code parameters}.
   *
   * @param parameters by initializer name (manifest {@code scale}, {@code bias}, {@code mean},
   *     {@code var}), as {@code ModelBundle.sourceParameters()} or a method's outputs hold them
   * @throws IllegalArgumentException naming the first initializer missing or of the wrong length
   */
  public List<LayerParams> encode(Map<String, float[]> parameters) {
    List<LayerParams> out = new ArrayList<>(layers.size());
    for (BundleManifest.Layer l : layers) {
      out.add(LayerParams.newBuilder()
          .setLayer(l.node())
          .setScale(Float32.tensor(values(parameters, l.scale(), l.channels())))
          .setBias(Float32.tensor(values(parameters, l.bias(), l.channels())))
          .setMean(Float32.tensor(values(parameters, l.mean(), l.channels())))
          .setVar(Float32.tensor(values(parameters, l.var(), l.channels())))
          .build());
    }
    return out;
  }

  private static float[] values(Map<String, float[]> parameters, String name, int channels) {
    float[] v = parameters.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no values for initializer " + name);
    }
    if (v.length != channels) {
      throw new IllegalArgumentException(name + " has " + v.length + " values, the layer has "
          + channels + " channels");
    }
    return v;
  }
}
