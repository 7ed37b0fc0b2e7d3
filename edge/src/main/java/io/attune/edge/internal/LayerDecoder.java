package io.attune.edge.internal;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.edge.RejectReason;
import io.attune.schemas.DType;
import io.attune.schemas.LayerParams;
import io.attune.schemas.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An update's layers to parameters by initializer name, checked against the bundle: exactly the
 * bundle's layers (by normalization node name, in any order), each tensor FLOAT32 of shape
 * {@code [channels]} with finite values.
 */
public final class LayerDecoder {

  private final List<BundleManifest.Layer> layers;

  public LayerDecoder(List<BundleManifest.Layer> layers) {
    this.layers = List.copyOf(layers);
  }

  /** @throws Rejection LAYOUT_MISMATCH or NON_FINITE, naming the layer and tensor */
  public Map<String, float[]> decode(List<LayerParams> update) throws Rejection {
    Map<String, LayerParams> byNode = new HashMap<>();
    for (LayerParams p : update) {
      if (byNode.put(p.getLayer(), p) != null) {
        throw mismatch("layer " + p.getLayer() + " appears twice");
      }
    }
    if (byNode.size() != layers.size()) {
      throw mismatch("update has " + byNode.size() + " layers, the bundle " + layers.size());
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (BundleManifest.Layer l : layers) {
      LayerParams p = byNode.get(l.node());
      if (p == null) {
        throw mismatch("layer " + l.node() + " of the bundle is missing");
      }
      out.put(l.scale(), values(l, "scale", p.getScale()));
      out.put(l.bias(), values(l, "bias", p.getBias()));
      out.put(l.mean(), values(l, "mean", p.getMean()));
      out.put(l.var(), values(l, "var", p.getVar()));
    }
    return out;
  }

  private static float[] values(BundleManifest.Layer l, String field, Tensor t)
      throws Rejection {
    String where = "layer " + l.node() + " " + field;
    if (t.getDtype() != DType.FLOAT32) {
      throw mismatch(where + " is " + t.getDtype() + ", expected FLOAT32");
    }
    if (!t.getShape().equals(List.of(l.channels()))) {
      throw mismatch(where + " has shape " + t.getShape() + ", expected [" + l.channels() + "]");
    }
    if (t.getData().remaining() != 4 * l.channels()) {
      throw mismatch(where + " has " + t.getData().remaining() + " bytes, expected "
          + 4 * l.channels());
    }
    float[] v = Float32.values(t.getData());
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new Rejection(RejectReason.NON_FINITE, where + "[" + i + "] is " + v[i]);
      }
    }
    return v;
  }

  private static Rejection mismatch(String detail) {
    return new Rejection(RejectReason.LAYOUT_MISMATCH, detail);
  }
}
