package io.attune.adaptation.bundle;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.attune.adaptation.onnx.internal.Attrs;
import io.attune.adaptation.onnx.internal.Graph;
import io.attune.adaptation.onnx.internal.Tensors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Folds each Conv -> BatchNormalization pair into the Conv, as exporters do in eval mode. */
final class FoldedModels {

  private FoldedModels() {}

  static ModelProto fold(ModelProto model) {
    Graph graph = new Graph(model.getGraph());
    Map<String, TensorProto> replaced = new HashMap<>();
    Map<String, String> rename = new HashMap<>();
    GraphProto.Builder g = model.getGraph().toBuilder().clearNode();
    for (NodeProto node : graph.nodes()) {
      if (node.getOpType().equals("BatchNormalization")) {
        rename.put(node.getOutput(0), node.getInput(0));
        continue;
      }
      NodeProto.Builder b = node.toBuilder();
      for (int i = 0; i < node.getInputCount(); i++) {
        if (rename.containsKey(node.getInput(i))) {
          b.setInput(i, rename.get(node.getInput(i)));
        }
      }
      if (node.getOpType().equals("Conv")) {
        NodeProto bn = graph.consumers(node.getOutput(0)).stream()
            .filter(c -> c.getOpType().equals("BatchNormalization")).findFirst().orElse(null);
        if (bn != null) {
          float[] gamma = floats(graph, bn.getInput(1));
          float[] beta = floats(graph, bn.getInput(2));
          float[] mean = floats(graph, bn.getInput(3));
          float[] var = floats(graph, bn.getInput(4));
          float eps = Attrs.getFloat(bn, "epsilon", 1e-5f);
          TensorProto w = graph.constant(node.getInput(1)).orElseThrow();
          float[] wv = Tensors.floats(w);
          int c = gamma.length;
          int per = wv.length / c;
          float[] bias = node.getInputCount() > 2 ? floats(graph, node.getInput(2)) : new float[c];
          float[] newBias = new float[c];
          for (int k = 0; k < c; k++) {
            float a = gamma[k] / (float) Math.sqrt(var[k] + eps);
            for (int i = 0; i < per; i++) {
              wv[k * per + i] *= a;
            }
            newBias[k] = (bias[k] - mean[k]) * a + beta[k];
          }
          String wName = node.getInput(1) + ".folded";
          String bName = node.getName() + ".folded_bias";
          replaced.put(wName, Tensors.floatTensor(wName, Tensors.dims(w), wv));
          replaced.put(bName, Tensors.floatTensor(bName, new long[] {c}, newBias));
          b.clearInput().addAllInput(List.of(rename.getOrDefault(node.getInput(0),
              node.getInput(0)), wName, bName));
        }
      }
      g.addNode(b);
    }
    g.addAllInitializer(replaced.values());
    return model.toBuilder().setGraph(g).build();
  }

  private static float[] floats(Graph graph, String name) {
    return Tensors.floats(graph.constant(name).orElseThrow());
  }
}
