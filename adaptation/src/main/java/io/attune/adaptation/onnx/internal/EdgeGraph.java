package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The graph edges run forward-only: the original model, unchanged, with every normalization
 * layer's scale, bias, mean and variance turned into graph inputs named like the source
 * initializers, and the penultimate features as a second output. Edges feed the newest
 * published parameters on each call, or the source values from the bundle's manifest.
 *
 * <p>The parameters are plain inputs rather than initializers listed as inputs (ONNX's way of
 * giving an input a default) because ONNX Runtime's Java API cannot feed such inputs.
 */
public final class EdgeGraph {

  public static final String LOGITS = AdaptationGraphs.LOGITS;
  public static final String FEATURES = AdaptationGraphs.FEATURES;

  private EdgeGraph() {}

  public static ModelProto build(ModelAnalysis analysis) {
    GraphProto original = analysis.graph().proto();
    Set<String> params = new HashSet<>();
    for (NormLayer layer : analysis.norms()) {
      params.addAll(List.of(layer.scale(), layer.bias(), layer.mean(), layer.var()));
    }
    List<TensorProto> kept = original.getInitializerList().stream()
        .filter(t -> !params.contains(t.getName())).toList();
    List<ValueInfoProto> inputs = original.getInputList().stream()
        .filter(v -> !params.contains(v.getName())).toList();
    GraphProto.Builder g = original.toBuilder().clearInitializer().addAllInitializer(kept)
        .clearInput().addAllInput(inputs);
    Set<String> added = new HashSet<>();
    for (NormLayer layer : analysis.norms()) {
      for (String param : List.of(layer.scale(), layer.bias(), layer.mean(), layer.var())) {
        if (added.add(param)) {
          g.addInput(Graph.floatValue(param, layer.channels()));
        }
      }
    }
    g.addNode(Graph.node("Identity", LOGITS, List.of(analysis.head().logits()),
        List.of(LOGITS)));
    g.addNode(Graph.node("Identity", FEATURES, List.of(analysis.head().features()),
        List.of(FEATURES)));
    g.addOutput(ValueInfoProto.newBuilder().setName(LOGITS));
    g.addOutput(ValueInfoProto.newBuilder().setName(FEATURES));
    return analysis.model().toBuilder().setGraph(g).build();
  }
}
